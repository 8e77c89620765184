/**
 * The async invocation queue: one lane per function with its own concurrency bound, delayed
 * re-entry for retries, and an idle signal that counts queued, delayed and running tasks together
 * (a running function may enqueue more work, so "idle" means all three are zero).
 */

type Task = () => Promise<void>;

interface Lane {
  concurrency: number;
  running: number;
  queue: Task[];
}

/** After the count reaches zero, wait this long and look again before calling the queue idle, so a
 * task that fires an invocation without awaiting its 202 is not missed. */
const IDLE_SETTLE_MS = 20;

export class AsyncQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private outstanding = 0;
  private waiters: Array<() => void> = [];

  /** Queued + delayed + running tasks. */
  pending(): number {
    return this.outstanding;
  }

  /** Queue a task on a lane now. */
  push(lane: string, concurrency: number, task: Task): void {
    this.outstanding += 1;
    this.enter(lane, concurrency, task);
  }

  /** Queue a task on a lane after a delay (counted as pending while it waits). */
  later(ms: number, lane: string, concurrency: number, task: Task): void {
    this.outstanding += 1;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enter(lane, concurrency, task);
    }, ms);
    this.timers.add(t);
  }

  /** Resolve true once nothing is pending, false when `timeoutMs` passes first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== onIdle);
        resolve(v);
      };
      const onIdle = () => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.push(onIdle);
      this.checkIdle();
    });
  }

  /** Forget queued and delayed tasks (running ones finish on their own). */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    let dropped = this.timers.size;
    this.timers.clear();
    for (const lane of this.lanes.values()) {
      dropped += lane.queue.length;
      lane.queue = [];
    }
    this.outstanding -= dropped;
    this.checkIdle();
  }

  private enter(name: string, concurrency: number, task: Task): void {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { concurrency, running: 0, queue: [] };
      this.lanes.set(name, lane);
    }
    lane.concurrency = concurrency;
    lane.queue.push(task);
    this.pump(lane);
  }

  private pump(lane: Lane): void {
    while (lane.running < lane.concurrency && lane.queue.length > 0) {
      const task = lane.queue.shift() as Task;
      lane.running += 1;
      void task()
        .catch(() => {})
        .finally(() => {
          lane.running -= 1;
          this.outstanding -= 1;
          this.pump(lane);
          this.checkIdle();
        });
    }
  }

  private checkIdle(): void {
    if (this.outstanding !== 0 || this.waiters.length === 0) return;
    setTimeout(() => {
      if (this.outstanding !== 0) return;
      for (const w of [...this.waiters]) w();
    }, IDLE_SETTLE_MS);
  }
}
