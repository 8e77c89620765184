/**
 * The OSS backend of the run store (`oss://bucket/prefix`), through `ali-oss`, the official OSS SDK for
 * Node. Objects live under `<prefix>/`; `PutObject` replaces an object whole (OSS never shows a torn
 * one), `GetObject` reads it, `ListObjects` pages by marker. With `endpoint` (the emulator) every
 * request goes to that host over HTTP; otherwise to the region's public OSS endpoint over HTTPS.
 */
import OSS from 'ali-oss';
import { StoreError } from './errors.ts';
import type { OssStoreOptions } from './index.ts';
import type { RunStore } from './port.ts';

export interface OssStoreInit extends OssStoreOptions {
  bucket: string;
  /** Folder inside the bucket, without leading or trailing `/` ('' = the bucket's root). */
  prefix: string;
  location: string;
}

type OssClass = typeof OSS;
// Under ESM the default import of this CommonJS package may be module.exports itself or hold `.default`.
const Client = ((OSS as unknown as { default?: OssClass }).default ?? OSS) as OssClass;

export function createOssStore(init: OssStoreInit): RunStore {
  const region = init.region
    ? init.region.startsWith('oss-')
      ? init.region
      : `oss-${init.region}`
    : 'oss-cn-hangzhou';
  const client = new Client({
    accessKeyId: init.accessKeyId,
    accessKeySecret: init.accessKeySecret,
    ...(init.securityToken ? { stsToken: init.securityToken } : {}),
    bucket: init.bucket,
    region,
    ...(init.endpoint ? { endpoint: init.endpoint, secure: init.endpoint.startsWith('https:') } : { secure: true }),
    timeout: 10_000,
  });
  const base = init.prefix ? `${init.prefix}/` : '';
  const fail = (what: string, e: unknown): never => {
    throw new StoreError(init.location, what, e);
  };
  return {
    location: init.location,
    async put(key, body) {
      try {
        await client.put(base + key, Buffer.from(body, 'utf8'), { mime: 'application/octet-stream' });
      } catch (e) {
        fail(`writing ${key}`, e);
      }
    },
    async get(key) {
      try {
        const res = await client.get(base + key);
        const content = res.content as Buffer | string | undefined;
        return content === undefined ? '' : Buffer.isBuffer(content) ? content.toString('utf8') : String(content);
      } catch (e) {
        if ((e as { code?: string }).code === 'NoSuchKey') return undefined;
        return fail(`reading ${key}`, e);
      }
    },
    async list(prefix) {
      const out: string[] = [];
      let marker: string | undefined;
      try {
        for (;;) {
          const page = await client.list(
            { prefix: base + prefix, 'max-keys': 1000, ...(marker ? { marker } : {}) },
            {},
          );
          for (const o of page.objects ?? []) out.push(o.name.slice(base.length));
          if (!page.isTruncated || !page.nextMarker) break;
          marker = page.nextMarker;
        }
      } catch (e) {
        fail(`listing ${prefix}`, e);
      }
      return out.sort();
    },
  };
}
