/**
 * Helpers for tests that drive the built function bundle: build it once into a temp directory with the
 * build script's own function, load its handler, and make FC-shaped contexts whose STS credentials the
 * emulator issued.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Emulator } from '../../../emulator/server.ts';
import { buildFunction } from '../../../scripts/build.ts';

export type Handler = (event: Buffer, context: unknown) => Promise<any>;

export interface BuiltBundle {
  bundlePath: string;
  handler: Handler;
  dispose(): Promise<void>;
}

export async function buildBundle(): Promise<BuiltBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vtc-function-'));
  const { bundlePath } = await buildFunction({ outdir: path.join(dir, 'dist') });
  const mod = createRequire(import.meta.url)(bundlePath) as { handler: Handler };
  return { bundlePath, handler: mod.handler, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** An FC 3.0 context as the runtime hands it to the handler (reference/function-compute.md section 1). */
export function fcContext(
  h: Emulator,
  overrides: { timeout?: number; name?: string; credentials?: unknown } = {},
): Record<string, unknown> {
  return {
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    credentials: overrides.credentials === undefined ? h.credentials.issueSession() : overrides.credentials,
    function: {
      name: overrides.name ?? 'vpc-tag-cleanup',
      handler: 'index.handler',
      memory: 1024,
      timeout: overrides.timeout ?? 60,
    },
    service: { name: '', logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
    region: h.region,
    accountId: h.accountId,
    retryCount: 0,
  };
}

export async function adminJson(h: Emulator, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${h.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
}

/** OpenAPI calls the emulator has answered, from `GET /__admin/stats`: all, and writes only. */
export async function callCounts(h: Emulator): Promise<{ total: number; writes: number }> {
  const stats = (await adminJson(h, 'GET', '/__admin/stats')) as {
    total: number;
    byAction: Record<string, Record<string, number>>;
  };
  let writes = 0;
  for (const [api, outcomes] of Object.entries(stats.byAction)) {
    if (/:(UntagResources|UnTagResources|TagResources)$/.test(api))
      writes += Object.values(outcomes).reduce((a, b) => a + b, 0);
  }
  return { total: stats.total, writes };
}

export interface SeedResource {
  type: string;
  region: string;
  id: string;
  tags: Record<string, string>;
}

export async function tagsOf(
  h: Emulator,
  type: string,
  region: string,
): Promise<Record<string, Record<string, string>>> {
  const { resources } = (await adminJson(h, 'GET', `/__admin/resources?type=${type}&region=${region}`)) as {
    resources: SeedResource[];
  };
  return Object.fromEntries(resources.map((r) => [r.id, r.tags]));
}
