/**
 * Cold start (issue 4): module init of the built bundle in fresh processes, ours against an all-eager
 * bundle. The measurement is the function branch's (`bench/cold-start.ts`, `compareColdStart`, which
 * builds both bundles into a temp directory and times `require` in each fresh process); this scenario
 * runs it and files the figures.
 */
import { compareColdStart } from '../cold-start.ts';
import type { ColdStart } from '../results.ts';

export async function coldStart(samples: number): Promise<ColdStart> {
  const { ours, eager } = await compareColdStart(samples);
  const out: ColdStart = {
    samples: ours.samples.length,
    oursMedianMs: ours.medianMs,
    eagerMedianMs: eager.medianMs,
    oursMs: ours.samples.map((x) => Number(x.toFixed(2))),
    eagerMs: eager.samples.map((x) => Number(x.toFixed(2))),
  };
  if (ours.withChunkMedianMs !== undefined) {
    out.oursWithEngineChunkMedianMs = ours.withChunkMedianMs;
    out.note =
      'oursWithEngineChunkMedianMs: init plus loading the lazy engine chunk, what a run pays before its first call';
  }
  return out;
}
