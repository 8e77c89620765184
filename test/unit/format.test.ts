import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressLine, type ProgressSnapshot } from '../../bin/format/progress.ts';
import { OutcomeTally, summarizeByGroup } from '../../bin/format/summary.ts';
import { formatDuration, renderChanges, renderColumns, renderIssues, renderReport } from '../../bin/format/table.ts';
import type { Report, ResourceOutcome } from '../../lib/types.ts';

const outcome = (o: Partial<ResourceOutcome> & Pick<ResourceOutcome, 'id' | 'status'>): ResourceOutcome => ({
  region: 'cn-hangzhou',
  type: 'IPAMPOOL',
  keys: ['CostCenter'],
  ...o,
});

const resources: ResourceOutcome[] = [
  outcome({ id: 'ipam-pool-1', status: 'untagged', keys: ['CostCenter', 'legacy-owner'] }),
  outcome({ id: 'ipam-pool-2', status: 'untagged' }),
  outcome({ id: 'ipam-pool-3', status: 'skipped', reason: 'nothing-to-remove', keys: [] }),
  outcome({ id: 'ipam-pool-4', status: 'skipped', reason: 'protected-resource', keys: [] }),
  outcome({ id: 'ipam-pool-5', status: 'failed', code: 'Forbidden.NoPermission', requestId: 'REQ-5' }),
  outcome({ id: 'pcc-1', type: 'PeerConnection', region: 'cn-shanghai', status: 'untagged' }),
  outcome({ id: 'pcc-2', type: 'PeerConnection', region: 'cn-shanghai', status: 'skipped', reason: 'not-found' }),
  outcome({
    id: 'pcc-3',
    type: 'PeerConnection',
    region: 'cn-shanghai',
    status: 'skipped',
    reason: 'not-matched',
    keys: [],
  }),
];

const report = (over: Partial<Report> = {}): Report => ({
  ok: false,
  runId: 'run-1',
  policy: 'drop-legacy-cost-tags',
  dryRun: false,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  totals: {
    scanned: 8,
    matched: 7,
    untagged: 3,
    keysRemoved: 4,
    skipped: 3,
    failed: 1,
    planned: 0,
    notMatched: 1,
    calls: { list: 6, untag: 3, throttled: 2, retried: 2 },
  },
  resources,
  errors: [],
  ...over,
});

describe('summarizeByGroup', () => {
  it('counts matched, untagged, skipped and failed per region and type', () => {
    const rows = summarizeByGroup(resources);
    expect(rows.map((r) => [r.region, r.type, r.matched, r.untagged, r.skipped, r.failed])).toEqual([
      ['cn-hangzhou', 'IPAMPOOL', 5, 2, 2, 1],
      ['cn-shanghai', 'PeerConnection', 2, 1, 1, 0],
    ]);
  });

  it('counts every resource inside match as matched and the rest apart, with skip reasons', () => {
    const [hz, sh] = summarizeByGroup(resources);
    expect(sh?.notMatched).toBe(1);
    expect(hz?.skipReasons).toEqual({ 'nothing-to-remove': 1, 'protected-resource': 1 });
    expect(sh?.skipReasons).toEqual({ 'not-found': 1 });
    expect(hz?.keysRemoved).toBe(3);
  });
});

describe('OutcomeTally', () => {
  it('counts every outcome fed to it but keeps only the first few changes and failures', () => {
    const t = new OutcomeTally(3);
    for (let i = 0; i < 50; i++) t.add(outcome({ id: `ipam-pool-u${i}`, status: 'untagged' }));
    for (let i = 0; i < 10; i++) t.add(outcome({ id: `ipam-pool-f${i}`, status: 'failed', code: 'InternalError' }));
    expect([t.changeCount, t.changes.length, t.failedCount, t.failed.length]).toEqual([50, 3, 10, 3]);
    expect(t.rows()).toMatchObject([
      { region: 'cn-hangzhou', type: 'IPAMPOOL', matched: 60, untagged: 50, failed: 10, keysRemoved: 50 },
    ]);
    expect(renderChanges(t)).toContain('removed (50 resources, first 3 shown):');
  });
});

describe('renderReport', () => {
  const text = renderReport(report());
  const lines = text.split('\n');

  it('prints one row per region and type with aligned columns and a total row', () => {
    const header = lines.find((l) => l.startsWith('region'));
    expect(header).toMatch(/^region\s+type\s+matched\s+untagged\s+skipped\s+failed$/);
    expect(lines.find((l) => l.startsWith('cn-hangzhou'))).toMatch(/^cn-hangzhou\s+IPAMPOOL\s+5\s+2\s+2\s+1$/);
    expect(lines.find((l) => l.startsWith('cn-shanghai'))).toMatch(/^cn-shanghai\s+PeerConnection\s+2\s+1\s+1\s+0$/);
    expect(lines.find((l) => l.startsWith('total'))).toMatch(/^total\s+7\s+3\s+3\s+1$/);
    const header2 = header ?? '';
    const row = lines.find((l) => l.startsWith('cn-hangzhou')) ?? '';
    expect(row.length).toBe(header2.length);
  });

  it('lists skip reasons, failed resources with code and request id, calls and duration', () => {
    expect(text).toContain('skipped: not-found 1, nothing-to-remove 1, protected-resource 1');
    expect(text).toMatch(/ipam-pool-5\s+Forbidden\.NoPermission\s+request REQ-5/);
    expect(text).toContain('calls: list 6 · untag 3 · throttled 2 · retried 2');
    expect(text).toContain('duration: 1.2 s · result: NOT OK');
    expect(text).toContain("outside the policy's match (not counted above): 1");
  });

  it('calls the done column "planned" for a dry run and says nothing was changed', () => {
    const planned = resources.map((r) => (r.status === 'untagged' ? { ...r, status: 'planned' as const } : r));
    const dry = renderReport(
      report({ dryRun: true, ok: true, resources: planned, totals: { ...report().totals, untagged: 0, planned: 3 } }),
    );
    expect(dry).toContain('dry run: nothing was changed');
    expect(dry).toMatch(/region\s+type\s+matched\s+planned\s+skipped\s+failed/);
    expect(dry).toMatch(/total\s+7\s+3\s+3\s+1/);
  });

  it("takes skip reasons from the totals' breakdown when the report has one (exact for a cut list)", () => {
    const t = renderReport(
      report({ totals: { ...report().totals, skippedBy: { 'nothing-to-remove': 40, 'not-matched': 5, deadline: 2 } } }),
    );
    expect(t).toContain('skipped: nothing-to-remove 40, deadline 2');
  });

  it('says when the rows cover only the first resources of a cut list', () => {
    expect(renderReport(report({ resourcesTruncated: true }))).toContain('rows count the first 8 resources');
  });

  it('shows the run-level error and the continuation', () => {
    const text2 = renderReport(
      report({
        error: { code: 'LIMIT_EXCEEDED', message: '12 resources would change, limit 10', count: 12 },
        continuation: { version: 1, runId: 'run-1', done: [{ region: 'cn-hangzhou', type: 'IPAM' }], hop: 1 },
      }),
    );
    expect(text2).toContain('error: LIMIT_EXCEEDED: 12 resources would change, limit 10');
    expect(text2).toContain('stopped before the end (hop 1)');
  });

  it('cuts a long failure list and says how many more there are', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      outcome({ id: `ipam-pool-f${i}`, status: 'failed', code: 'InternalError' }),
    );
    const t = renderReport(report({ resources: many, totals: { ...report().totals, failed: 30 } }), many, {
      maxFailedListed: 5,
    });
    expect(t).toContain('... and 25 more');
    expect(t.match(/ipam-pool-f\d+/g)?.length).toBe(5);
  });
});

describe('renderChanges', () => {
  it('lists each resource that would change with its keys, bounded', () => {
    const planned = Array.from({ length: 25 }, (_, i) =>
      outcome({ id: `ipam-pool-${i}`, status: 'planned', keys: ['CostCenter', 'tmp-x'] }),
    );
    const text = renderChanges(planned, 10);
    expect(text.split('\n')[0]).toBe('would remove (25 resources, first 10 shown):');
    expect(text).toMatch(/ipam-pool-0\s+CostCenter, tmp-x/);
    expect(text).not.toContain('ipam-pool-10 ');
    expect(text).toContain('... and 15 more');
  });

  it('says so when there is nothing to change', () => {
    expect(renderChanges([outcome({ id: 'a', status: 'skipped', reason: 'nothing-to-remove' })])).toBe(
      'nothing to change\n',
    );
  });
});

describe('small formatters', () => {
  it('formats durations in ms, seconds and minutes', () => {
    expect([formatDuration(12), formatDuration(1500), formatDuration(125_000)]).toEqual([
      '12 ms',
      '1.5 s',
      '2 min 5 s',
    ]);
  });

  it('right-aligns numeric columns', () => {
    expect(
      renderColumns(
        ['a', 'n'],
        [
          ['x', '5'],
          ['yy', '10'],
        ],
        [false, true],
      ),
    ).toEqual(['a    n', 'x    5', 'yy  10']);
  });

  it('names each bad field on its own line', () => {
    expect(
      renderIssues('bad policy', [
        { path: 'remove.keys[0]', message: 'must be a string' },
        { path: '', message: 'x' },
      ]),
    ).toBe('bad policy\n  remove.keys[0]: must be a string\n  (root): x\n');
  });
});

describe('ProgressLine', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { isTTY, chunks, write: (c: string) => chunks.push(c) };
  };
  const snap =
    (over: Partial<ProgressSnapshot>): (() => ProgressSnapshot) =>
    () => ({
      scanned: 0,
      toChange: 0,
      changed: 0,
      failed: 0,
      calls: 0,
      throttled: 0,
      ...over,
    });

  it('rewrites one line in place on a TTY and erases it when done', () => {
    let t = 0;
    const s = sink(true);
    const line = new ProgressLine(s, { now: () => t, intervalMs: 100 });
    t = 1000;
    line.update(snap({ scanned: 500, toChange: 40, changed: 20, calls: 12, throttled: 1, etaMs: 4000 }));
    t = 1050;
    line.update(snap({ scanned: 600 })); // within the interval: not drawn
    t = 2000;
    line.update(snap({ scanned: 1000, toChange: 80, changed: 80, failed: 2, calls: 30 }));
    line.done();
    expect(s.chunks).toEqual([
      '\rscanned 500 (500/s) · changed 20/40 · calls 12 · throttled 1 · ETA 4.0 s\x1b[K',
      '\rscanned 1000 (500/s) · changed 80/80 · failed 2 · calls 30 · throttled 0\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('writes nothing when the stream is not a TTY', () => {
    const s = sink(false);
    const line = new ProgressLine(s);
    line.update(snap({ scanned: 1 }));
    line.done();
    expect(s.chunks).toEqual([]);
  });

  it('shows a small rate with one decimal, and a dry run what would change without an ETA', () => {
    expect(formatProgress(snap({ scanned: 3, toChange: 2, etaMs: 10 })(), 2000, true)).toBe(
      'scanned 3 (1.5/s) · to change 2 · calls 0 · throttled 0',
    );
  });
});
