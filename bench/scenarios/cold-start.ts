/**
 * Cold start (issue 4): module init of the built bundle in fresh processes, ours against an all-eager
 * bundle. The measurement itself is the function branch's `measureColdStart` (bench/cold-start.ts);
 * this scenario only runs it and files the figures.
 */
import type { ColdStart } from '../results.ts';

// bench/cold-start.ts lands with the function bundle; loaded by path so this compiles first.
const COLD_START_MODULE = '../cold-start.ts';

interface ColdStartFigures {
  ours: { medianMs: number; samplesMs?: number[] };
  eager: { medianMs: number; samplesMs?: number[] };
  samples?: number;
}

export async function coldStart(samples: number): Promise<ColdStart> {
  const mod = (await import(COLD_START_MODULE)) as { measureColdStart: (opts: { samples: number }) => Promise<ColdStartFigures> };
  const r = await mod.measureColdStart({ samples });
  const out: ColdStart = { samples: r.samples ?? samples, oursMedianMs: r.ours.medianMs, eagerMedianMs: r.eager.medianMs };
  if (r.ours.samplesMs) out.oursMs = r.ours.samplesMs;
  if (r.eager.samplesMs) out.eagerMs = r.eager.samplesMs;
  return out;
}
