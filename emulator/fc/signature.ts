/**
 * FC's request signature (reference function-compute.md section 7), as `@alicloud/fc2` 2.6.6 builds it:
 * `Authorization: FC <accessKeyID>:<base64 hmac-sha256(secret, stringToSign)>`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialStore } from '../contracts.ts';
import type { FcErrorCode } from './errors.ts';

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/**
 * The string fc2 signs. `path` is `/2023-03-30/functions/...` (version prefix included, no query);
 * `query` is signed only for `/proxy/` paths, so callers pass it only there.
 */
export function fcStringToSign(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  query?: URLSearchParams,
): string {
  const fcHeaders = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${header(headers, k)}\n`)
    .join('');
  let s = `${method.toUpperCase()}\n${header(headers, 'content-md5')}\n${header(headers, 'content-type')}\n${header(headers, 'date')}\n${fcHeaders}${path}`;
  if (query) {
    const lines = [...query.entries()].map(([k, v]) => `${k}=${v}`).sort();
    if (lines.length > 0) s += `\n${lines.join('\n')}`;
  }
  return s;
}

export function fcSign(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

/** fc2's content-md5 quirk: base64 of the *hex* digest string, not of the raw digest. */
export function fcContentMd5(body: Buffer): string {
  return Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
}

export type SignatureVerdict = { ok: true; accessKeyId: string } | { ok: false; code: FcErrorCode; detail: string };

/** Check a request's FC signature, security token and (when sent) body MD5. */
export function verifyFcSignature(
  credentials: CredentialStore,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  query?: URLSearchParams,
): SignatureVerdict {
  const auth = header(headers, 'authorization');
  if (auth === '') return { ok: false, code: 'MissingRequiredHeader', detail: 'Authorization' };
  // The scheme first: a request signed another way (ACS3) does not match, whatever headers it carries.
  const m = /^FC ([^:]+):(.+)$/.exec(auth);
  if (!m) return { ok: false, code: 'SignatureNotMatch', detail: '' };
  if (header(headers, 'date') === '') return { ok: false, code: 'MissingRequiredHeader', detail: 'Date' };
  const accessKeyId = m[1] as string;
  const given = m[2] as string;
  const secret = credentials.secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyID', detail: accessKeyId };
  const token = headers['x-fc-security-token'];
  const tokenValue = Array.isArray(token) ? token[0] : token;
  // An STS key must carry its token; a long-term key passes tokenMatches only without one.
  const isSts = accessKeyId.startsWith('STS');
  if (isSts || tokenValue !== undefined) {
    if (!credentials.tokenMatches(accessKeyId, tokenValue)) {
      return { ok: false, code: 'AccessDenied', detail: 'invalid security token' };
    }
  }
  const expected = fcSign(secret, fcStringToSign(method, path, headers, query));
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { ok: false, code: 'SignatureNotMatch', detail: '' };
  }
  const md5 = header(headers, 'content-md5');
  if (md5 !== '' && body.length > 0 && md5 !== fcContentMd5(body)) {
    return { ok: false, code: 'InvalidArgument', detail: 'Content-MD5 does not match the body' };
  }
  return { ok: true, accessKeyId };
}
