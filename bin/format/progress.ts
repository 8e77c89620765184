/**
 * The progress line for long runs: resources scanned, batches done, rate, rewritten in place with `\r`.
 * Written only when the stream is a TTY, so pipes and CI logs never see control characters.
 */

export interface ProgressSnapshot {
  scanned: number;
  batchesDone: number;
  /** Batches planned so far, when known. */
  batchesTotal?: number;
}

/** One progress line, e.g. `scanned 1200 · batches 12/40 · 600 resources/s`. Pure. */
export function formatProgress(p: ProgressSnapshot, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.scanned * 1000) / elapsedMs : 0;
  const batches = p.batchesTotal !== undefined ? `${p.batchesDone}/${p.batchesTotal}` : String(p.batchesDone);
  return `scanned ${p.scanned} · batches ${batches} · ${rate.toFixed(rate < 10 ? 1 : 0)} resources/s`;
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
  #last = 0;
  #drawn = false;

  constructor(stream: TtyLike, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#stream = stream;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#intervalMs = options.intervalMs ?? 100;
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  update(p: ProgressSnapshot): void {
    if (!this.enabled) return;
    const now = this.#now();
    if (this.#drawn && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#drawn = true;
    // \x1b[K clears what a longer previous line left behind.
    this.#stream.write(`\r${formatProgress(p, now - this.#start)}\x1b[K`);
  }

  done(): void {
    if (this.enabled && this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
