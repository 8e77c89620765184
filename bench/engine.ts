/**
 * The engine as the benchmarks and the reliability suite call it: one place that knows how to build
 * the SDK-backed CloudPort for the emulator and how to start `runCleanup`, so the rest of bench/ and
 * test/ does not depend on the engine's wiring.
 */
import type { Tuning } from '../lib/catalog.ts';
import { createCloudPort } from '../lib/cloud/client.ts';
import type { CloudPort } from '../lib/cloud/port.ts';
import { runJournaled } from '../lib/journal/journaled-run.ts';
import type { Policy } from '../lib/policy/schema.ts';
import { runCleanup } from '../lib/run.ts';
import { openStore } from '../lib/store/index.ts';
import type { Continuation, Report } from '../lib/types.ts';

/** The emulator's default long-term key (DESIGN.md "the local endpoint"). */
export const TEST_CREDENTIALS = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' } as const;

export function emulatorPort(endpoint: string, limits: Partial<Tuning> = {}): CloudPort {
  return createCloudPort({ credentials: { ...TEST_CREDENTIALS }, endpoint, tuning: limits });
}

export interface EngineRunInput {
  endpoint: string;
  policy: unknown;
  runId: string;
  signal?: AbortSignal;
  limits?: Partial<Tuning>;
  /** What the engine's rate limiter multiplies the published quotas by (the emulator's `--quota-scale`). */
  quotaScale?: number;
  continuation?: Continuation;
  /** Where each resource's final outcome line goes (the function logs them); default: counted, dropped. */
  log?: (line: string) => void;
  /** Journal the run to this store (a directory or oss://bucket/prefix on the emulator): bench undo. */
  store?: string;
}

export async function runOurs(input: EngineRunInput): Promise<Report> {
  const cloud = emulatorPort(input.endpoint, input.limits);
  const run = input.store ? journaledRunner(input.store, input.endpoint) : runCleanup;
  const { report } = await run(
    {
      policy: input.policy as Policy,
      runId: input.runId,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.continuation ? { continuation: input.continuation } : {}),
    },
    {
      cloud,
      // The outcome lines are built as in the function (so their cost is measured), then dropped.
      log: input.log ?? (() => {}),
      ...(input.limits ? { limits: input.limits } : {}),
      ...(input.quotaScale !== undefined ? { quotaScale: input.quotaScale } : {}),
    },
  );
  return report;
}

/** `runCleanup` with the run's journal in `location` (the emulator's OSS for oss://, signed with its key). */
function journaledRunner(location: string, endpoint: string): typeof runCleanup {
  return async (input, deps) => {
    const store = await openStore(location, async () => ({
      accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'testAccessKeyId',
      accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'testAccessKeySecret',
      endpoint: `http://${endpoint}`,
    }));
    return runJournaled(input, deps, { store });
  };
}
