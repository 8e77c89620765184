/**
 * One engine run in a fresh process, so its peak RSS is the engine's alone (the emulator lives in
 * another child). Argument: JSON `EngineRunInput` (no signal); prints `RESULT {json}`.
 */
import { readFileSync } from 'node:fs';
import { type EngineRunInput, runOurs } from '../engine.ts';

function peakRssMB(): number {
  // VmHWM is the kernel's own high-water mark; resourceUsage().maxRSS (KiB) where /proc is missing.
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024;
}

const input = JSON.parse(process.argv[2] ?? '{}') as EngineRunInput & { sampleLiveHeapMs?: number };
const rssBefore = peakRssMB();
// With --expose-gc and sampleLiveHeapMs: a full GC every so often, then the heap in use, so the figure
// is what the run holds, not garbage V8 has not collected yet (such a run's RSS is not the one judged).
const gc = (globalThis as { gc?: () => void }).gc;
let liveHeapMaxMB: number | undefined;
const sampler =
  input.sampleLiveHeapMs && gc
    ? setInterval(() => {
        gc();
        liveHeapMaxMB = Math.max(liveHeapMaxMB ?? 0, process.memoryUsage().heapUsed / 2 ** 20);
      }, input.sampleLiveHeapMs)
    : undefined;
const started = performance.now();
const report = await runOurs(input);
const wallMs = performance.now() - started;
if (sampler) clearInterval(sampler);
const out = {
  wallMs,
  ok: report.ok,
  totals: report.totals,
  errors: report.errors.slice(0, 5),
  error: report.error,
  hasContinuation: report.continuation !== undefined,
  rssAtStartMB: rssBefore,
  peakRssMB: peakRssMB(),
  ...(liveHeapMaxMB !== undefined ? { liveHeapMaxMB } : {}),
};
process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
process.exit(0);
