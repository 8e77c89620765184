/**
 * OSS signature V1 verification (the scheme `ali-oss` 6.x sends by default), rebuilt from the OSS
 * documentation's definition rather than from the SDK's signer:
 *
 *   Authorization: OSS <AccessKeyId>:<base64(HMAC-SHA1(secret, StringToSign))>
 *   StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource
 *
 * where Date is the `x-oss-date` header when sent (else `Date`), CanonicalizedOSSHeaders is every
 * `x-oss-*` header lower-cased, sorted, `name:value\n`, and CanonicalizedResource is `/bucket/object`
 * plus the sub-resources in the query (sorted; `prefix`, `marker` and other plain parameters excluded).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Query parameters that are OSS sub-resources (they take part in the signature). */
const SUB_RESOURCES = new Set([
  'acl',
  'append',
  'bucketInfo',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'position',
  'referer',
  'tagging',
  'uploadId',
  'uploads',
  'partNumber',
  'versionId',
  'versioning',
  'versions',
  'website',
  'x-oss-process',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

const header = (h: IncomingHttpHeaders, name: string): string => {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

export function stringToSign(
  method: string,
  headers: IncomingHttpHeaders,
  bucket: string,
  object: string,
  query: URLSearchParams,
): string {
  const ossHeaders = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${header(headers, k).trim()}\n`)
    .join('');
  const subs = [...query.keys()]
    .filter((k) => SUB_RESOURCES.has(k))
    .sort()
    .map((k) => {
      const v = query.get(k);
      return v ? `${k}=${v}` : k;
    });
  const resource = `/${bucket ? `${bucket}/` : ''}${object}${subs.length > 0 ? `?${subs.join('&')}` : ''}`;
  const date = header(headers, 'x-oss-date') || header(headers, 'date');
  return [
    method.toUpperCase(),
    header(headers, 'content-md5'),
    header(headers, 'content-type'),
    date,
    `${ossHeaders}${resource}`,
  ].join('\n');
}

export function signV1(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

export type SignatureCheck =
  | { ok: true; accessKeyId: string }
  | { ok: false; code: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch'; message: string };

/** Checks the `Authorization` header against the secret the store holds for its key id. */
export function verifyOssV1(
  headers: IncomingHttpHeaders,
  text: string,
  secretFor: (accessKeyId: string) => string | undefined,
  tokenOk: (accessKeyId: string, token: string | undefined) => boolean,
): SignatureCheck {
  const auth = header(headers, 'authorization');
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(auth);
  if (!m) return { ok: false, code: 'AccessDenied', message: 'Authorization header is invalid or missing.' };
  const [, accessKeyId = '', signature = ''] = m;
  const secret = secretFor(accessKeyId);
  if (secret === undefined)
    return {
      ok: false,
      code: 'InvalidAccessKeyId',
      message: 'The OSS Access Key Id you provided does not exist in our records.',
    };
  const token = header(headers, 'x-oss-security-token') || undefined;
  if (!tokenOk(accessKeyId, token))
    return { ok: false, code: 'InvalidAccessKeyId', message: 'The security token you provided is invalid.' };
  const want = Buffer.from(signV1(secret, text));
  const got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got))
    return {
      ok: false,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  return { ok: true, accessKeyId };
}
