/**
 * The emulator's OSS subset, enough for the run store's backend: PutBucket, PutObject, GetObject,
 * ListObjects (v1, marker paging), with the signature `ali-oss` sends checked (signature.ts) and OSS's
 * XML errors (`NoSuchBucket`, `NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`, `InvalidAccessKeyId`).
 *
 * Routing: `ali-oss` pointed at an IP endpoint sends `Host: <bucket>.oss-<region>.aliyuncs.com` and the
 * object as the path; a request is OSS's when its Host says so or its Authorization is an OSS one.
 * Admin (loopback, JSON): `POST /__admin/oss/buckets {name}`, `GET /__admin/oss/objects?bucket=&prefix=`,
 * `PUT /__admin/oss/faults {deny?: 'PutObject'|'GetObject'|'ListObjects', after?: n}` (AccessDenied for
 * that operation once `after` more have succeeded; `{}` clears).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CredentialStore, ReadRequest, RouteHandler } from '../contracts.ts';
import { stringToSign, verifyOssV1 } from './signature.ts';

interface OssObject {
  body: Buffer;
  etag: string;
  modified: Date;
}

export type OssOperation = 'PutObject' | 'GetObject' | 'ListObjects' | 'PutBucket';

export interface OssFault {
  deny?: OssOperation;
  /** Operations of that kind that still succeed before the denials start. */
  after?: number;
}

export interface OssService {
  handle: RouteHandler;
  createBucket(name: string): void;
  objects(bucket: string, prefix?: string): Array<{ key: string; size: number }>;
  setFault(f: OssFault): void;
  reset(): void;
}

const HOST_RE = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.(oss-[a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/;
const OWNER = '1234567890123456';

const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

export function createOssService(opts: { credentials: CredentialStore }): OssService {
  const buckets = new Map<string, Map<string, OssObject>>();
  let fault: OssFault = {};

  const send = (
    r: ReadRequest,
    status: number,
    body: string | Buffer,
    headers: Record<string, string | number> = {},
  ) => {
    const requestId = randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24);
    r.res.writeHead(status, {
      'x-oss-request-id': requestId,
      server: 'AliyunOSS',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    r.res.end(body);
    return requestId;
  };
  const error = (r: ReadRequest, status: number, code: string, message: string, extra = '') => {
    const requestId = randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24);
    const host = r.req.headers.host ?? '';
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${xmlEscape(message)}</Message>\n  <RequestId>${requestId}</RequestId>\n  <HostId>${xmlEscape(host)}</HostId>${extra}\n</Error>\n`;
    r.res.writeHead(status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(xml),
      'x-oss-request-id': requestId,
      server: 'AliyunOSS',
    });
    r.res.end(xml);
    return true;
  };
  const denied = (op: OssOperation): boolean => {
    if (fault.deny !== op) return false;
    if ((fault.after ?? 0) > 0) {
      fault.after = (fault.after ?? 0) - 1;
      return false;
    }
    return true;
  };

  const admin = async (r: ReadRequest): Promise<boolean> => {
    const p = r.url.pathname;
    if (!p.startsWith('/__admin/oss/')) return false;
    const json = (status: number, body: unknown) => {
      r.res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      r.res.end(JSON.stringify(body));
      return true;
    };
    const body = r.body.length > 0 ? (JSON.parse(r.body.toString('utf8')) as Record<string, unknown>) : {};
    if (p === '/__admin/oss/buckets' && r.req.method === 'POST') {
      if (typeof body.name !== 'string' || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(body.name))
        return json(400, { error: 'name: a bucket name (3-63 lowercase letters, digits, hyphens)' });
      service.createBucket(body.name);
      return json(200, { ok: true });
    }
    if (p === '/__admin/oss/objects' && r.req.method === 'GET') {
      const bucket = r.url.searchParams.get('bucket') ?? '';
      return json(200, { objects: service.objects(bucket, r.url.searchParams.get('prefix') ?? '') });
    }
    if (p === '/__admin/oss/faults' && r.req.method === 'PUT') {
      service.setFault(body as OssFault);
      return json(200, { ok: true });
    }
    return json(404, { error: `no admin route ${r.req.method} ${p}` });
  };

  const service: OssService = {
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    objects(bucket, prefix = '') {
      return [...(buckets.get(bucket) ?? new Map<string, OssObject>()).entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, o]) => ({ key, size: o.body.length }));
    },
    setFault(f) {
      fault = { ...f };
    },
    reset() {
      buckets.clear();
      fault = {};
    },
    async handle(r) {
      if (await admin(r)) return true;
      const host = r.req.headers.host ?? '';
      const m = HOST_RE.exec(host);
      const auth = r.req.headers.authorization ?? '';
      if (!m && !/^OSS4?[ -]/.test(auth)) return false;
      const bucket = m?.[1] ?? '';
      const object = decodeURIComponent(r.url.pathname.replace(/^\//, ''));
      const method = r.req.method ?? 'GET';
      const check = verifyOssV1(
        r.req.headers,
        stringToSign(method, r.req.headers, bucket, object, r.url.searchParams),
        (id) => opts.credentials.secretFor(id),
        // A session key (STS.) must carry its token; the long-term key carries none.
        (id, token) => (token === undefined ? !id.startsWith('STS.') : opts.credentials.tokenMatches(id, token)),
      );
      if (!check.ok) return error(r, 403, check.code, check.message);
      if (!bucket) return error(r, 400, 'InvalidBucketName', 'The specified bucket is not valid.');
      const objects = buckets.get(bucket);

      if (method === 'PUT' && object === '') {
        if (denied('PutBucket')) return error(r, 403, 'AccessDenied', 'You have no right to access this object.');
        service.createBucket(bucket);
        send(r, 200, '', { location: `/${bucket}` });
        return true;
      }
      if (!objects)
        return error(
          r,
          404,
          'NoSuchBucket',
          'The specified bucket does not exist.',
          `\n  <BucketName>${xmlEscape(bucket)}</BucketName>`,
        );

      if (method === 'PUT') {
        if (denied('PutObject')) return error(r, 403, 'AccessDenied', 'You have no right to access this object.');
        const md5 = r.req.headers['content-md5'];
        const digest = createHash('md5').update(r.body);
        if (typeof md5 === 'string' && md5 !== digest.copy().digest('base64'))
          return error(r, 400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
        const etag = `"${digest.digest('hex').toUpperCase()}"`;
        objects.set(object, { body: Buffer.from(r.body), etag, modified: new Date() });
        send(r, 200, '', { etag });
        return true;
      }
      if (method === 'GET' && object !== '') {
        if (denied('GetObject')) return error(r, 403, 'AccessDenied', 'You have no right to access this object.');
        const o = objects.get(object);
        if (!o)
          return error(r, 404, 'NoSuchKey', 'The specified key does not exist.', `\n  <Key>${xmlEscape(object)}</Key>`);
        send(r, 200, o.body, {
          'content-type': 'application/octet-stream',
          etag: o.etag,
          'last-modified': o.modified.toUTCString(),
        });
        return true;
      }
      if (method === 'GET') {
        if (denied('ListObjects')) return error(r, 403, 'AccessDenied', 'You have no right to access this bucket.');
        const q = r.url.searchParams;
        const prefix = q.get('prefix') ?? '';
        const marker = q.get('marker') ?? '';
        const maxKeys = Math.min(1000, Math.max(1, Number(q.get('max-keys') ?? '100') || 100));
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > marker).sort();
        const page = keys.slice(0, maxKeys);
        const truncated = keys.length > page.length;
        const contents = page
          .map((k) => {
            const o = objects.get(k) as OssObject;
            return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Type>Normal</Type><Size>${o.body.length}</Size><StorageClass>Standard</StorageClass><Owner><ID>${OWNER}</ID><DisplayName>${OWNER}</DisplayName></Owner></Contents>`;
          })
          .join('');
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><Marker>${xmlEscape(marker)}</Marker><MaxKeys>${maxKeys}</MaxKeys><Delimiter></Delimiter><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextMarker>${xmlEscape(page[page.length - 1] ?? '')}</NextMarker>` : ''}${contents}</ListBucketResult>\n`;
        send(r, 200, xml, { 'content-type': 'application/xml' });
        return true;
      }
      return error(r, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    },
  };
  return service;
}
