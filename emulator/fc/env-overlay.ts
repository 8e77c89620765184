/**
 * A function's `env` applied to `process.env` while it runs. Functions run in-process, so this is
 * shared state: two functions that set the same key differently at the same time see the last
 * writer's value. Values are restored when the last running invocation that set a key settles
 * (a timed-out handler keeps its env until its promise settles, since it cannot be killed).
 */
export class EnvOverlay {
  private readonly holders = new Map<string, { count: number; previous: string | undefined }>();

  apply(env: Record<string, string>): () => void {
    const keys = Object.keys(env);
    for (const k of keys) {
      const held = this.holders.get(k);
      if (held) held.count += 1;
      else this.holders.set(k, { count: 1, previous: process.env[k] });
      process.env[k] = env[k];
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const held = this.holders.get(k);
        if (!held) continue;
        held.count -= 1;
        if (held.count > 0) continue;
        this.holders.delete(k);
        if (held.previous === undefined) delete process.env[k];
        else process.env[k] = held.previous;
      }
    };
  }
}
