/**
 * Group commit for the journal: lines queued in the same turn go out in one store object, and up to
 * `maxInFlight` objects are written at once, so a record waits for about one store write, not for the
 * write ahead of it as well. Each object is new (a segment), so concurrent writes never touch one another.
 *
 * Durability: a `commit` resolves only once the object holding its lines is written. Fail closed: after
 * the first failed write, every write not yet started and every later `commit` rejects with that failure
 * (a group whose object was written is durable, so its calls may still go).
 */

export interface GroupCommit {
  /** Queues `line` (none: only what is buffered) and resolves once it is durable; rejects after a failure. */
  commit(line?: string): Promise<void>;
  /** Resolves once every write started so far has settled and nothing is left queued. */
  drain(): Promise<void>;
  readonly failure: Error | undefined;
}

export interface GroupCommitOptions {
  /** Writes one object, numbered from 1 in the order the writes start. */
  write(seq: number, body: string): Promise<void>;
  /** Lines that ride along with the next write without anyone waiting on them (the outcome records). */
  takeBuffered(): string[];
  /** Whether there are buffered lines worth a write of their own when the store is idle. */
  hasBuffered(): boolean;
  maxInFlight: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export function createGroupCommit(opts: GroupCommitOptions): GroupCommit {
  let seq = 0;
  let failure: Error | undefined;
  let lines: string[] = [];
  let waiters: Waiter[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();

  const startWrite = () => {
    const body = [...lines, ...opts.takeBuffered()];
    const group = waiters;
    lines = [];
    waiters = [];
    if (body.length === 0) {
      // Nothing new to write: durable once the writes already under way are.
      void Promise.allSettled([...inFlight]).then(() => {
        for (const w of group) failure ? w.reject(failure) : w.resolve();
      });
      return;
    }
    const n = ++seq;
    const write: Promise<void> = (async () => {
      try {
        if (failure) throw failure;
        await opts.write(n, `${body.join('\n')}\n`);
        for (const w of group) w.resolve();
      } catch (e) {
        failure ??= e instanceof Error ? e : new Error(String(e));
        for (const w of group) w.reject(failure);
      }
    })().finally(() => {
      inFlight.delete(write);
      schedule();
    });
    inFlight.add(write);
  };

  const pump = () => {
    scheduled = false;
    while (inFlight.size < opts.maxInFlight) {
      const worth = waiters.length > 0 || (inFlight.size === 0 && opts.hasBuffered());
      if (!worth) return;
      startWrite();
    }
  };
  // A microtask later, so lines committed in the same turn share one object.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(pump);
  };

  return {
    get failure() {
      return failure;
    },
    commit(line) {
      if (failure) return Promise.reject(failure);
      const p = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      if (line !== undefined) lines.push(line);
      schedule();
      return p;
    },
    async drain() {
      while (inFlight.size > 0 || waiters.length > 0 || scheduled) {
        if (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        else await new Promise<void>((r) => queueMicrotask(r));
      }
    },
  };
}
