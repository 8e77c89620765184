/**
 * Who may invoke, by path and signature scheme. The 2016-08-15 path takes FC's own signature (what
 * `@alicloud/fc2` sends). On the 2023-03-30 path the docs leave open which scheme the gateway accepts
 * (open-points.md): the FC 3.0 SDK (`@alicloud/fc20230330`) signs InvokeFunction ACS3 as an ROA call, the
 * fc3 component's fc2 client signs FC. The behaviour mode `fcInvokeSignature` picks one reading:
 * `fc` (FC signature only), `acs3` (ACS3 only), `either` (whichever the request carries).
 *
 * A request in the wrong scheme is refused by the verifier of the scheme the path wants, so it gets the
 * answer that verifier gives: `SignatureNotMatch` (FC) or `IncompleteSignature` (ACS3, "does not conform").
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { BehaviourValues } from '../behaviour.ts';
import type { CredentialStore } from '../contracts.ts';
import { FC_ERRORS } from './errors.ts';
import { verifyFcSignature } from './signature.ts';

/** Values of the `fcInvokeSignature` behaviour mode (emulator/behaviour.ts). */
export type FcInvokeSignature = BehaviourValues['fcInvokeSignature'];

export interface InvokeRequestParts {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type AuthVerdict =
  | { ok: true; accessKeyId: string; scheme: 'fc' | 'acs3' }
  | { ok: false; status: number; code: string; message: string };

/** ACS3 verification as the OpenAPI gateway does it (injected by the server: one nonce window, one key store). */
export type Acs3Verifier = (request: InvokeRequestParts) => AuthVerdict;

function fcVerdict(credentials: CredentialStore, r: InvokeRequestParts): AuthVerdict {
  const v = verifyFcSignature(
    credentials,
    r.method,
    r.path,
    r.headers,
    r.body,
    r.path.includes('/proxy/') ? r.query : undefined,
  );
  if (v.ok) return { ok: true, accessKeyId: v.accessKeyId, scheme: 'fc' };
  const spec = FC_ERRORS[v.code];
  return { ok: false, status: spec.status, code: v.code, message: spec.message(v.detail) };
}

function schemeOf(headers: IncomingHttpHeaders): 'fc' | 'acs3' | 'none' {
  const auth = headers.authorization;
  const value = (Array.isArray(auth) ? auth[0] : auth) ?? '';
  if (value.startsWith('FC ')) return 'fc';
  if (value.startsWith('ACS3-')) return 'acs3';
  return 'none';
}

/** Verify an invocation's signature under the path's API and the mode in force. */
export function verifyInvocation(
  api: '2016-08-15' | '2023-03-30',
  mode: FcInvokeSignature,
  request: InvokeRequestParts,
  credentials: CredentialStore,
  acs3: Acs3Verifier | undefined,
): AuthVerdict {
  if (api === '2016-08-15' || !acs3) return fcVerdict(credentials, request);
  if (mode === 'fc') return fcVerdict(credentials, request);
  if (mode === 'acs3') return acs3(request);
  return schemeOf(request.headers) === 'acs3' ? acs3(request) : fcVerdict(credentials, request);
}
