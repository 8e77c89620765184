/**
 * The journal's group commit (lib/journal/group-commit.ts) against a store whose writes the test
 * settles by hand: lines of one turn share a write, later lines start their own write at once (up to
 * the limit) instead of queueing behind the one under way, a commit resolves only once its own object
 * is written, and after a failure nothing more resolves.
 */
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../lib/journal/group-commit.ts';

function handStore() {
  const writes: Array<{ seq: number; body: string; done: () => void; fail: (e: Error) => void }> = [];
  const write = (seq: number, body: string) =>
    new Promise<void>((done, fail) => {
      writes.push({ seq, body, done, fail });
    });
  return { writes, write };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('group commit', () => {
  it('shares a write within a turn and starts later writes without waiting for the first', async () => {
    const s = handStore();
    const g = createGroupCommit({ write: s.write, takeBuffered: () => [], hasBuffered: () => false, maxInFlight: 2 });
    const settled: string[] = [];
    const a = g.commit('a').then(() => settled.push('a'));
    const b = g.commit('b').then(() => settled.push('b'));
    await tick();
    expect(s.writes.map((w) => w.body)).toEqual(['a\nb\n']);
    const c = g.commit('c').then(() => settled.push('c'));
    await tick();
    const d = g.commit('d').then(() => settled.push('d'));
    await tick();
    // Two writes in flight (the limit): `d` waits for a slot.
    expect(s.writes.map((w) => w.body)).toEqual(['a\nb\n', 'c\n']);
    s.writes[1]?.done();
    await c;
    // `c` is durable though the first write is still under way; `a` and `b` are not.
    expect(settled).toEqual(['c']);
    await tick();
    expect(s.writes.map((w) => w.body)).toEqual(['a\nb\n', 'c\n', 'd\n']);
    s.writes[0]?.done();
    s.writes[2]?.done();
    await Promise.all([a, b, d]);
    expect(settled.sort()).toEqual(['a', 'b', 'c', 'd']);
    await g.drain();
  });

  it('fails closed: after a failed write, waiting and later commits reject with it', async () => {
    const s = handStore();
    const g = createGroupCommit({ write: s.write, takeBuffered: () => [], hasBuffered: () => false, maxInFlight: 1 });
    const a = g.commit('a');
    await tick();
    const b = g.commit('b');
    await tick();
    s.writes[0]?.fail(new Error('ENOSPC'));
    await expect(a).rejects.toThrow('ENOSPC');
    await expect(b).rejects.toThrow('ENOSPC');
    await expect(g.commit('c')).rejects.toThrow('ENOSPC');
    // `b` never reached the store.
    expect(s.writes.map((w) => w.body)).toEqual(['a\n']);
    await g.drain();
  });
});
