/**
 * FC's error answers. The body carries `ErrorCode`/`ErrorMessage` because `@alicloud/fc2` reads exactly
 * those to build `err.code` (its `lib/client.js`); FC's error-code page prints them lower-camel
 * (`errorCode`), so both spellings are sent.
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

/** Write an FC error answer. */
export function sendFcError(res: ServerResponse, requestId: string, code: FcErrorCode, detail = ''): void {
  const spec = FC_ERRORS[code];
  const message = spec.message(detail);
  const body = JSON.stringify({
    ErrorCode: code,
    ErrorMessage: message,
    errorCode: code,
    errorMessage: message,
  });
  res.writeHead(spec.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-fc-request-id': requestId,
  });
  res.end(body);
}
