import { describe, expect, it } from 'vitest';
import { createResourceLog } from '../../lib/log.ts';
import type { ResourceOutcome } from '../../lib/types.ts';

const outcome = (i: number): ResourceOutcome => ({
  region: 'cn-hangzhou',
  type: 'IPAMPOOL',
  id: `ipam-pool-${i}`,
  keys: ['k'],
  status: 'untagged',
});

function collect(n: number, cap: number, perLine: number) {
  const lines: Array<{ kind: string; runId: string; part: number; last?: boolean; resources: ResourceOutcome[] }> = [];
  const log = createResourceLog('run-1', { cap, perLine }, (l) => lines.push(JSON.parse(l)));
  for (let i = 0; i < n; i++) log.add(outcome(i));
  log.flush();
  return lines;
}

describe('createResourceLog', () => {
  it('writes nothing while the run stays within the report cap (the report line lists them all)', () => {
    expect(collect(5, 5, 2)).toEqual([]);
  });

  it('streams every outcome once, in numbered lines of at most perLine, the final one marked last', () => {
    const lines = collect(11, 5, 4);
    expect(lines.map((l) => l.resources.length)).toEqual([4, 4, 3]);
    expect(lines.map((l) => [l.kind, l.runId, l.part, l.last === true])).toEqual([
      ['resources', 'run-1', 1, false],
      ['resources', 'run-1', 2, false],
      ['resources', 'run-1', 3, true],
    ]);
    expect(lines.flatMap((l) => l.resources.map((r) => r.id))).toEqual(
      Array.from({ length: 11 }, (_, i) => `ipam-pool-${i}`),
    );
  });

  it('marks the last line even when the count divides evenly', () => {
    const lines = collect(8, 3, 4);
    expect(lines.map((l) => [l.resources.length, l.last === true])).toEqual([
      [4, false],
      [4, true],
    ]);
  });
});
