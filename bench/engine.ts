/**
 * The engine as the benchmarks and the reliability suite call it: one place that knows how to build
 * the SDK-backed CloudPort for the emulator and how to start `runCleanup`, so the rest of bench/ and
 * test/ does not depend on the engine's wiring.
 */
import { createCloudPort } from '../lib/cloud/client.ts';
import type { CloudPort } from '../lib/cloud/port.ts';
import type { Report } from '../lib/types.ts';

/** The emulator's default long-term key (DESIGN.md "the local endpoint"). */
export const TEST_CREDENTIALS = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' } as const;

export function emulatorPort(endpoint: string, limits: Record<string, number> = {}): CloudPort {
  return createCloudPort({ credentials: { ...TEST_CREDENTIALS }, endpoint, limits });
}

export interface EngineRunInput {
  endpoint: string;
  policy: unknown;
  runId: string;
  signal?: AbortSignal;
  limits?: Record<string, number>;
  continuation?: unknown;
}

// runCleanup lands on branch engine-exec; loaded by path until then so this module compiles first.
const RUN_MODULE = '../lib/run.ts';

type RunCleanup = (input: Record<string, unknown>) => Promise<Report>;

export async function runOurs(input: EngineRunInput): Promise<Report> {
  const mod = (await import(RUN_MODULE)) as { runCleanup: RunCleanup };
  const port = emulatorPort(input.endpoint, input.limits);
  const run: Record<string, unknown> = { policy: input.policy, runId: input.runId, port };
  if (input.signal) run.signal = input.signal;
  if (input.continuation) run.continuation = input.continuation;
  return mod.runCleanup(run);
}
