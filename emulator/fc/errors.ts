/**
 * FC's error answers, in the shape of the API version the request used. 2016-08-15: `ErrorCode`/
 * `ErrorMessage` (what `@alicloud/fc2` reads to build `err.code`, its `lib/client.js`) plus the lower-camel
 * spelling FC's error-code page prints. 2023-03-30: `{Code, Message, RequestId}`, the FC 3.0 "Error"
 * struct (api-fc-2023-03-30-struct-error), which the FC 3.0 SDK's openapi-core reads.
 */
import type { ServerResponse } from 'node:http';

/** Status and message template per FC error code. */
export const FC_ERRORS = {
  // 403s: FC error-code page (alibabacloud.com/help/en/functioncompute/error-codes), verified.
  InvalidAccessKeyID: { status: 403, message: (id: string) => `invalid access key ID '${id}'` },
  SignatureNotMatch: {
    status: 403,
    message: () =>
      'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
  },
  // The page lists 403 AccessDenied for permission failures; used for a bad/missing STS token.
  AccessDenied: { status: 403, message: (why: string) => why },
  MissingRequiredHeader: {
    status: 400,
    message: (h: string) => `required HTTP header ${h} was not specified`,
  },
  InvalidArgument: { status: 400, message: (why: string) => why },
  PathNotSupported: {
    status: 400,
    message: (p: string) => `'${p}' is not supported`,
  },
  EntityTooLarge: {
    status: 400,
    message: (max: string) => `payload size exceeds maximum allowed size (${max} bytes)`,
  },
  // FC 3.0 Error struct example (api-fc-2023-03-30-struct-error): code FunctionNotFound, verified.
  FunctionNotFound: { status: 404, message: (name: string) => `function '${name}' does not exist` },
  // 409 on a reused task id is documented (task-deduplication page); the code name is seen only in
  // client code of the 2021-04-06 API, not in an official table: unverified.
  StatefulAsyncInvocationAlreadyExists: {
    status: 409,
    message: (id: string) => `stateful async invocation '${id}' already exists`,
  },
} as const;

export type FcErrorCode = keyof typeof FC_ERRORS;

/** Which API's error shape an answer takes. */
export const FC_API = { v2: '2016-08-15', v3: '2023-03-30' } as const;
export type FcApi = (typeof FC_API)[keyof typeof FC_API];

/** Write an FC error answer from the table. */
export function sendFcError(
  res: ServerResponse,
  requestId: string,
  code: FcErrorCode,
  detail = '',
  api: FcApi = FC_API.v2,
): void {
  const spec = FC_ERRORS[code];
  sendFcErrorRaw(res, requestId, spec.status, code, spec.message(detail), api);
}

/** Write an FC error answer with any code (the 3.0 path's ACS3 refusals carry the POP gateway's codes). */
export function sendFcErrorRaw(
  res: ServerResponse,
  requestId: string,
  status: number,
  code: string,
  message: string,
  api: FcApi,
): void {
  const body = JSON.stringify(
    api === FC_API.v3
      ? { Code: code, Message: message, RequestId: requestId }
      : { ErrorCode: code, ErrorMessage: message, errorCode: code, errorMessage: message },
  );
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-fc-request-id': requestId,
  });
  res.end(body);
}
