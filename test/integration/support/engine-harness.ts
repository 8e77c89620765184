/**
 * A real emulator on port 0, the real SDK-backed cloud port pointed at it, and small helpers over the
 * admin API (`/__admin/*`, plain HTTP) to seed resources, read the final state, stats and requests.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { BehaviourSettings } from '../../../emulator/behaviour.ts';
import type { LoggedCall } from '../../../emulator/openapi/call-log.ts';
import { startEmulator } from '../../../emulator/server.ts';
import type { Tuning } from '../../../lib/catalog.ts';
import { createCloudPort } from '../../../lib/cloud/client.ts';
import type { CloudPort } from '../../../lib/cloud/port.ts';
import type { Policy, PolicyInput } from '../../../lib/policy/schema.ts';
import { type RunDeps, type RunInput, runCleanup } from '../../../lib/run.ts';

export interface Seed {
  type: string;
  region: string;
  id: string;
  tags: Record<string, string>;
}

/** One call as the emulator's gateway logged it (`GET /__admin/requests`). */
export type LoggedRequest = LoggedCall;

/** Fast retries for tests: the emulator answers in microseconds. */
export const TEST_LIMITS: Partial<Tuning> = {
  retryBaseMs: 5,
  retryMaxMs: 40,
  connectTimeoutMs: 2_000,
  readTimeoutMs: 2_000,
};

export async function startHarness(
  opts: { quotaScale?: number; accessKeySecret?: string; behaviour?: BehaviourSettings } = {},
) {
  const accessKeyId = 'testAccessKeyId';
  const accessKeySecret = opts.accessKeySecret ?? 'testAccessKeySecret';
  const quotaScale = opts.quotaScale ?? 50;
  const emu = await startEmulator({
    quotaScale,
    accessKeyId,
    accessKeySecret,
    ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
  });
  const cloud: CloudPort = createCloudPort({
    credentials: { accessKeyId, accessKeySecret },
    endpoint: emu.endpoint,
    tuning: TEST_LIMITS,
  });

  const admin = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  let runCounter = 0;
  const h = {
    emu,
    cloud,
    quotaScale,
    reset: () => admin('/__admin/reset', 'POST', {}),
    seed: (resources: Seed[]) => admin('/__admin/resources', 'POST', { resources }),
    remove: (refs: Array<{ type: string; region: string; id: string }>) =>
      admin('/__admin/resources/delete', 'POST', { resources: refs }),
    /** The emulator's final state as `id -> tags` (ids are unique across the seeds of a test). */
    async state(type?: string): Promise<Record<string, Record<string, string>>> {
      const q = type ? `?type=${encodeURIComponent(type)}` : '';
      const { resources } = await admin<{ resources: Seed[] }>(`/__admin/resources${q}`);
      return Object.fromEntries(resources.map((r) => [r.id, r.tags]));
    },
    stats: () => admin<{ total: number; byAction: Record<string, Record<string, number>> }>('/__admin/stats'),
    async requests(filter: { action?: string; product?: string } = {}): Promise<LoggedRequest[]> {
      const q = new URLSearchParams({ ...filter, limit: '10000' }).toString();
      return (await admin<{ requests: LoggedRequest[] }>(`/__admin/requests?${q}`)).requests;
    },
    faults: (spec: { rules: unknown[]; seed?: number }) => admin('/__admin/faults', 'PUT', spec),
    quotas: (settings: Record<string, unknown>) => admin('/__admin/quotas', 'PUT', settings),
    /** Partial merge of the emulator's behaviour switches (reset restores the start values). */
    behaviour: (settings: BehaviourSettings) => admin('/__admin/behaviour', 'PUT', settings),
    /** Write calls (any untag action) the emulator saw, whatever their outcome. */
    async writeCalls(): Promise<number> {
      const { byAction } = await h.stats();
      let n = 0;
      for (const [action, outcomes] of Object.entries(byAction)) {
        if (/:Un[tT]agResources$/.test(action) || /^Un[tT]agResources$/.test(action))
          n += Object.values(outcomes).reduce((a, b) => a + b, 0);
      }
      return n;
    },
    run(policy: PolicyInput, input: Partial<Omit<RunInput, 'policy'>> = {}, deps: Partial<RunDeps> = {}) {
      runCounter++;
      return runCleanup(
        { policy: policy as Policy, runId: input.runId ?? `test-run-${runCounter}`, ...input },
        { cloud, quotaScale, tuning: TEST_LIMITS, ...deps },
      );
    },
    close: () => emu.close(),
  };
  return h;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * One emulator for the test file: started before all tests, reset before each, closed after all. The
 * handle forwards to it, so a file writes `const h = useHarness()` instead of the three hooks.
 */
export function useHarness(opts: Parameters<typeof startHarness>[0] = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(opts);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(async () => {
    await current?.reset();
  });
  return new Proxy({} as Harness, {
    get(_target, prop) {
      if (!current) throw new Error('the harness is used outside a test: it starts in beforeAll');
      const value = (current as Record<PropertyKey, unknown>)[prop];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

/** `count` resources of `type` in `region`, ids `${prefix}${i}`, tags from `tagsOf(i)`. */
export function many(
  type: string,
  region: string,
  prefix: string,
  count: number,
  tagsOf: (i: number) => Record<string, string>,
): Seed[] {
  return Array.from({ length: count }, (_, i) => ({ type, region, id: `${prefix}${i}`, tags: tagsOf(i) }));
}

/** The expected state: each seed's tags minus the keys `drop` says go. */
export function expectedAfter(
  seeds: Seed[],
  drop: (s: Seed, key: string) => boolean,
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    seeds.map((s) => [s.id, Object.fromEntries(Object.entries(s.tags).filter(([k]) => !drop(s, k)))]),
  );
}
