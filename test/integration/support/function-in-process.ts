/**
 * The function's invocation run in this process against the emulator: each payload is decoded from its
 * bytes and run by `runInvocation`; its self-invocations (fan-out shards, continuation hops) go through
 * an invoker port that runs them the same way. Resolves every report (in the order they finished) and
 * every payload sent to the port.
 */
import type { Invoker } from '../../../lib/fanout.ts';
import { runInvocation } from '../../../lib/invocation.ts';
import { decodeInvocation } from '../../../lib/trigger/index.ts';
import type { Report } from '../../../lib/types.ts';
import { TEST_LIMITS } from './engine-harness.ts';
import { fcContext } from './function-bundle.ts';

type EmulatorLike = Parameters<typeof fcContext>[0];

export interface InProcessOptions {
  env: Record<string, string>;
  /** The first invocation's deadline has passed before it lists anything (all of its work is handed on). */
  firstExpired?: boolean;
  /** More self-invocations than this throw (a run that hands on forever fails the test instead of hanging). */
  maxSelfInvocations?: number;
}

export async function invokeInProcess(
  emu: EmulatorLike,
  payload: unknown,
  options: InProcessOptions,
): Promise<{ reports: Report[]; payloads: unknown[] }> {
  const { env } = options;
  const reports: Report[] = [];
  const payloads: unknown[] = [];
  const running: Promise<void>[] = [];
  const invoke = async (body: unknown, expired: boolean) => {
    const decoded = decodeInvocation(Buffer.from(JSON.stringify(body)), env, new Date());
    if (decoded.kind !== 'run') throw new Error(`payload not decoded as a run: ${JSON.stringify(decoded)}`);
    const { report } = await runInvocation(decoded.run, {
      env,
      context: fcContext(emu, expired ? { timeout: 1 } : {}) as never,
      startedMs: expired ? Date.now() - 10_000 : Date.now(),
      log: () => {},
      tuning: TEST_LIMITS,
      invoker,
    });
    reports.push(report);
  };
  const invoker: Invoker = {
    async invokeAsync(_name, body, taskId) {
      payloads.push(body);
      if (payloads.length > (options.maxSelfInvocations ?? 1_000))
        throw new Error('more self-invocations than this run needs');
      running.push(invoke(body, false));
      return taskId === undefined ? { status: 'started' } : { status: 'started', taskId };
    },
    async invokeSync() {
      throw new Error('the function never invokes itself synchronously');
    },
  };
  await invoke(payload, options.firstExpired === true);
  while (running.length > 0) await running.shift();
  return { reports, payloads };
}
