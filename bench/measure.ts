/**
 * One measured run, ours or the baseline's, against an emulator child: the wall time, and the calls
 * as the emulator counted them (every attempt, throttled ones included), so both sides are counted by
 * the same referee.
 */
import { type CallStats, countCalls, countThrottled, diffStats, isListApi, isUntagApi } from './admin.ts';
import { type BaselineOptions, runBaseline } from './baseline.ts';
import { emulatorPort } from './engine.ts';
import type { PolicyShape } from './expected.ts';
import type { EmulatorProcess } from './processes.ts';
import { runChild } from './processes.ts';
import type { CallFigures, RunFigures } from './results.ts';

/** The engine's quota scale when the emulator's quotas are off: no pacing of its own. */
export const UNPACED = 1_000_000;

export const BASELINE_OPTIONS: BaselineOptions = { concurrency: 8, retryDelayMs: 1_000, maxRetries: 5 };

export function callFigures(stats: CallStats): CallFigures {
  const list = countCalls(stats, isListApi);
  const untag = countCalls(stats, isUntagApi);
  return { list, untag, total: list + untag, throttled: countThrottled(stats) };
}

export interface EngineChildResult {
  wallMs: number;
  ok: boolean;
  totals: {
    scanned: number;
    matched: number;
    untagged: number;
    keysRemoved: number;
    skipped: number;
    failed: number;
    calls: Record<string, number>;
  };
  errors: unknown[];
  error?: unknown;
  hasContinuation: boolean;
  peakRssMB: number;
  rssAtStartMB: number;
  liveHeapMaxMB?: number;
}

export interface Measured {
  figures: RunFigures;
  stats: CallStats;
  child?: EngineChildResult;
}

/** Our engine, in its own process. */
/** `quotaScale`: what the engine is told the quotas are scaled by (huge when the emulator's quotas are off). */
export async function measureOurs(
  emu: EmulatorProcess,
  policy: unknown,
  runId: string,
  quotaScale: number,
  opts: { nodeArgs?: string[]; sampleLiveHeapMs?: number; store?: string } = {},
): Promise<Measured> {
  const before = await emu.admin.stats();
  const arg = {
    endpoint: emu.endpoint,
    policy,
    runId,
    quotaScale,
    ...(opts.sampleLiveHeapMs ? { sampleLiveHeapMs: opts.sampleLiveHeapMs } : {}),
    ...(opts.store ? { store: opts.store } : {}),
  };
  const { result } = await runChild<EngineChildResult>('bench/child/engine-run.ts', arg, {
    nodeArgs: opts.nodeArgs ?? [],
  });
  const stats = diffStats(await emu.admin.stats(), before);
  return {
    figures: { wallMs: result.wallMs, calls: callFigures(stats), resources: result.totals.untagged, ok: result.ok },
    stats,
    child: result,
  };
}

/** The naive baseline, in this process, through the same SDK-backed port. */
export async function measureBaseline(
  emu: EmulatorProcess,
  policy: PolicyShape,
  options: BaselineOptions = BASELINE_OPTIONS,
): Promise<Measured> {
  const before = await emu.admin.stats();
  const b = await runBaseline(emulatorPort(emu.endpoint), policy, options);
  const stats = diffStats(await emu.admin.stats(), before);
  const calls = callFigures(stats);
  return {
    figures: {
      wallMs: b.wallMs,
      calls: { ...calls, retried: b.calls.retried, failed: b.calls.failed },
      resources: b.matched,
      ok: b.calls.failed === 0,
    },
    stats,
  };
}
