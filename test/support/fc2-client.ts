/**
 * `@alicloud/fc2` 2.6.6 (untyped CommonJS) behind a small typed surface for tests. Loaded with
 * `createRequire` so no ambient declaration is needed.
 */
import { createRequire } from 'node:module';

export interface Fc2Response {
  headers: Record<string, string | undefined>;
  data: unknown;
}

export interface Fc2Client {
  version: string;
  invokeFunction(
    service: string,
    fn: string,
    event: string | Buffer,
    headers?: Record<string, string>,
    qualifier?: string,
    opts?: { rawBuf?: boolean },
  ): Promise<Fc2Response>;
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Fc2Response>;
}

export interface Fc2Config {
  accessKeyID: string;
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  endpoint: string;
  timeout?: number;
}

type Fc2Ctor = new (accountId: string, config: Fc2Config) => Fc2Client;

const FCClient = createRequire(import.meta.url)('@alicloud/fc2') as Fc2Ctor;

/** A 2.0-path client (`invokeFunction` -> `/2016-08-15/services/...`). */
export function fc2Client(accountId: string, config: Fc2Config): Fc2Client {
  return new FCClient(accountId, { timeout: 10_000, ...config });
}

/** A client switched to FC 3.0 paths, as the reference's section 7 shows. */
export function fc3Client(accountId: string, config: Fc2Config): Fc2Client {
  const c = fc2Client(accountId, config);
  c.version = '2023-03-30';
  return c;
}

/** fc2 turns non-2xx answers into an Error whose `code` is FC's ErrorCode. */
export async function fcErrorOf(p: Promise<unknown>): Promise<{ code: unknown; name: unknown; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { code: err.code, name: err.name, message: err.message };
  }
  throw new Error('expected the call to fail');
}
