/**
 * The gateway's own error table (auth, routing, flow control, injected faults), written from
 * reference/alibaba-openapi.md section 7.4. Product errors come from the cloud state instead.
 */
import { randomUUID } from 'node:crypto';
import type { ProductName } from '../contracts.ts';

export const GATEWAY_ERRORS = {
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  SignatureDoesNotMatch: {
    status: 400,
    message: 'Specified signature does not match our calculation.',
  },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to Aliyun standards.' },
  'InvalidTimeStamp.Expired': {
    status: 400,
    message: 'Specified time stamp or date value is expired.',
  },
  'InvalidTimeStamp.Format': { status: 400, message: 'Specified time stamp or date value is not well formatted.' },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  'InvalidSecurityToken.Malformed': { status: 400, message: 'Specified SecurityToken is malformed.' },
  'InvalidSecurityToken.Expired': { status: 400, message: 'Specified SecurityToken is expired.' },
  'InvalidSecurityToken.MismatchWithAccessKey': {
    status: 400,
    message: 'Specified SecurityToken mismatch with the AccessKey.',
  },
  // The current POP gateway answers an unknown action (or version) with InvalidAction.NotFound 404;
  // older SDK-era reports show InvalidApi.NotFound with the same message (see the report).
  'InvalidAction.NotFound': { status: 404, message: 'Specified api is not found, please check your url and method.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  IdempotentParameterMismatch: {
    status: 400,
    message: 'The request uses the same client token as a previous, but non-identical request.',
  },
  'OperationFailed.LastTokenProcessing': {
    status: 400,
    message: 'The last token request is processing. Please try again later.',
  },
  InternalError: { status: 500, message: 'The request processing has failed due to some unknown error.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** An answer the gateway gives without asking the cloud state. */
export class GatewayRefusal extends Error {
  override readonly name = 'GatewayRefusal';
  readonly status: number;
  constructor(
    readonly code: string,
    message?: string,
    status?: number,
  ) {
    const known = (GATEWAY_ERRORS as Record<string, { status: number; message: string }>)[code];
    super(message ?? known?.message ?? code);
    this.status = status ?? known?.status ?? 400;
  }
}

/** A request id shaped like the cloud's: an upper-case UUID. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** The cloud's error body: `{RequestId, HostId, Code, Message, Recommend}`. */
export function errorBody(
  requestId: string,
  host: string,
  code: string,
  message: string,
  product: ProductName | undefined,
): Record<string, unknown> {
  const recommend = `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=${product ?? 'Vpc'}&requestId=${requestId}`;
  return { RequestId: requestId, HostId: host, Code: code, Message: message, Recommend: recommend };
}
