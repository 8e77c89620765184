/**
 * The progress line for long runs, rewritten in place with `\r`: resources scanned, to change and
 * changed, failed, calls, throttled, and the ETA of the writes still known (bin/run-meter.ts). Written
 * only when the stream is a TTY, so pipes and CI logs never see control characters.
 */
import type { MeterSnapshot } from '../run-meter.ts';
import { formatDuration } from './table.ts';

export type ProgressSnapshot = MeterSnapshot;

/** One progress line, e.g. `scanned 1200 · changed 300/340 · calls 56 · throttled 2 · ETA 4.0 s`. Pure. */
export function formatProgress(p: ProgressSnapshot, elapsedMs: number, dryRun = false): string {
  const rate = elapsedMs > 0 ? (p.scanned * 1000) / elapsedMs : 0;
  const parts = [
    `scanned ${p.scanned} (${rate.toFixed(rate < 10 ? 1 : 0)}/s)`,
    `${dryRun ? 'to change' : 'changed'} ${dryRun ? p.toChange : `${p.changed}/${p.toChange}`}`,
  ];
  if (p.failed > 0) parts.push(`failed ${p.failed}`);
  parts.push(`calls ${p.calls}`, `throttled ${p.throttled}`);
  if (!dryRun && p.etaMs !== undefined) parts.push(`ETA ${formatDuration(p.etaMs)}`);
  return parts.join(' · ');
}

interface TtyLike {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

/** Draws the line at most every `intervalMs`; `done()` erases it so the report starts on a clean line. */
export class ProgressLine {
  readonly #stream: TtyLike;
  readonly #start: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #dryRun: boolean;
  #last = 0;
  #drawn = false;

  constructor(stream: TtyLike, options: { intervalMs?: number; now?: () => number; dryRun?: boolean } = {}) {
    this.#stream = stream;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#intervalMs = options.intervalMs ?? 100;
    this.#dryRun = options.dryRun ?? false;
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  /** `snapshot` is called only when a line is drawn (it walks the limiter's buckets). */
  update(snapshot: () => ProgressSnapshot): void {
    if (!this.enabled) return;
    const now = this.#now();
    if (this.#drawn && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#drawn = true;
    // \x1b[K clears what a longer previous line left behind.
    this.#stream.write(`\r${formatProgress(snapshot(), now - this.#start, this.#dryRun)}\x1b[K`);
  }

  done(): void {
    if (this.enabled && this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
