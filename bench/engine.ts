/**
 * The engine as the benchmarks and the reliability suite call it: one place that knows how to build
 * the SDK-backed CloudPort for the emulator and how to start `runCleanup`, so the rest of bench/ and
 * test/ does not depend on the engine's wiring.
 */
import type { Limits } from '../lib/catalog.ts';
import { createCloudPort } from '../lib/cloud/client.ts';
import type { CloudPort } from '../lib/cloud/port.ts';
import type { Policy } from '../lib/policy/schema.ts';
import { runCleanup } from '../lib/run.ts';
import type { Continuation, Report } from '../lib/types.ts';

/** The emulator's default long-term key (DESIGN.md "the local endpoint"). */
export const TEST_CREDENTIALS = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' } as const;

export function emulatorPort(endpoint: string, limits: Partial<Limits> = {}): CloudPort {
  return createCloudPort({ credentials: { ...TEST_CREDENTIALS }, endpoint, limits });
}

export interface EngineRunInput {
  endpoint: string;
  policy: unknown;
  runId: string;
  signal?: AbortSignal;
  limits?: Partial<Limits>;
  /** What the engine's rate limiter multiplies the published quotas by (the emulator's `--quota-scale`). */
  quotaScale?: number;
  continuation?: Continuation;
  /** Where each resource's final outcome line goes (the function logs them); default: counted, dropped. */
  log?: (line: string) => void;
}

export async function runOurs(input: EngineRunInput): Promise<Report> {
  const cloud = emulatorPort(input.endpoint, input.limits);
  const { report } = await runCleanup(
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
