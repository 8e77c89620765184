/**
 * Undo (issue 10): what the write-ahead journal costs on the quota-bound scenario, and how many
 * TagResources calls a restore needs against its lower bound. The same data set and quotas as
 * quota-bound; the run without a journal, with the journal in a local directory and with it in the
 * emulator's OSS are measured in turn (three times each, interleaved, the fastest kept: the machine is shared),
 * then the last journaled run is restored. Lower bound (issue 10): Σ over (region, type, distinct
 * removed (key, value) set) of ⌈resources ÷ 20⌉, computed from the seeded state and bench/expected.ts,
 * not from the journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreRun } from '../../lib/restore/restore.ts';
import { openStore } from '../../lib/store/index.ts';
import { type AdminResource, countCalls, diffStats } from '../admin.ts';
import { benchPolicy, type Dataset, seedDataset } from '../dataset.ts';
import { emulatorPort } from '../engine.ts';
import { expectationFor, resourceKey } from '../expected.ts';
import { measureOurs } from '../measure.ts';
import type { EmulatorProcess } from '../processes.ts';

export interface UndoBench {
  quotaScale: number;
  resources: number;
  changed: number;
  wallMs: { none: number; local: number; oss: number };
  /** Untag calls and throttled answers of the fastest run of each kind. */
  calls: Record<'none' | 'local' | 'oss', { untag: number; throttled: number }>;
  /** Wall with the journal ÷ without (target ≤ 1.05). */
  journalCost: { local: number; oss: number };
  journalObjects: { local: number; oss: number };
  restore: {
    wallMs: number;
    tagCalls: number;
    lowerBound: number;
    callsVsBound: number;
    restored: number;
    exact: boolean;
  };
}

const OSS_BUCKET = 'bench-undo-runs';
/** Runs of each kind, interleaved, the fastest kept: on a shared machine the noise is of the effect's size. */
const ROUNDS = 3;

export async function undoBench(emu: EmulatorProcess, d: Dataset, quotaScale: number): Promise<UndoBench> {
  const policy = benchPolicy(d);
  const seeded: AdminResource[] = [];
  const prepare = async () => {
    await seedDataset(emu.admin, d);
    await emu.admin.setQuotas({ enabled: true, scale: quotaScale });
    // A reset empties the emulator's OSS too: the bucket comes back with every seeding.
    await fetch(`${emu.url}/__admin/oss/buckets`, { method: 'POST', body: JSON.stringify({ name: OSS_BUCKET }) });
  };
  const dir = mkdtempSync(join(tmpdir(), 'bench-undo-'));
  const best = { none: Number.POSITIVE_INFINITY, local: Number.POSITIVE_INFINITY, oss: Number.POSITIVE_INFINITY };
  const calls = {} as UndoBench['calls'];
  let lastStore = '';
  let lastRun = '';
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['none', 'local', 'oss'] as const) {
        await prepare();
        if (seeded.length === 0)
          for (const type of ['IPAMPOOL', 'PeerConnection']) seeded.push(...(await emu.admin.resources({ type })));
        const runId = `bench-undo-${kind}-${round}`;
        const store =
          kind === 'local' ? join(dir, `r${round}`) : kind === 'oss' ? `oss://${OSS_BUCKET}/r${round}` : undefined;
        const m = await measureOurs(emu, policy, runId, quotaScale, store ? { store } : {});
        if (!m.figures.ok)
          throw new Error(
            `undo bench: the ${kind} run was not ok: ${JSON.stringify(m.child?.error ?? m.child?.errors)}`,
          );
        if (m.figures.wallMs < best[kind])
          calls[kind] = { untag: m.figures.calls.untag, throttled: m.figures.calls.throttled };
        best[kind] = Math.min(best[kind], m.figures.wallMs);
        if (store) {
          lastStore = store;
          lastRun = runId;
        }
      }
    }
    const objects = async (loc: string) =>
      ((await (await openStore(loc, async () => creds(emu)))?.list('')) ?? []).length;
    // The last round's: each seeding empties the emulator's OSS, so earlier rounds' objects are gone.
    const last = `r${ROUNDS - 1}`;
    const journalObjects = { local: await objects(join(dir, last)), oss: await objects(`oss://${OSS_BUCKET}/${last}`) };

    // Restore the last journaled run (its removals are in the emulator now), at the same quotas.
    const exp = expectationFor(policy, seeded);
    const sets = new Map<string, number>();
    const byKey = new Map(seeded.map((r) => [resourceKey(r), r]));
    for (const [key, keys] of exp.removals) {
      const r = byKey.get(key) as AdminResource;
      const set = JSON.stringify([...keys].sort().map((k) => [k, r.tags[k]]));
      const g = `${r.region}|${r.type}|${set}`;
      sets.set(g, (sets.get(g) ?? 0) + 1);
    }
    const lowerBound = [...sets.values()].reduce((a, n) => a + Math.ceil(n / 20), 0);
    const before = await emu.admin.stats();
    const store = await openStore(lastStore, async () => creds(emu));
    if (!store) throw new Error('undo bench: no store');
    const t0 = performance.now();
    const report = await restoreRun({ runId: lastRun, store }, { cloud: emulatorPort(emu.endpoint), quotaScale });
    const wallMs = performance.now() - t0;
    const tagCalls = countCalls(
      diffStats(await emu.admin.stats(), before),
      (api) => api.endsWith(':TagResources'),
      'ok',
    );
    const now: AdminResource[] = [];
    for (const type of ['IPAMPOOL', 'PeerConnection']) now.push(...(await emu.admin.resources({ type })));
    const canon = (rs: AdminResource[]) => JSON.stringify(rs.map((r) => [resourceKey(r), r.tags]).sort());
    await emu.admin.setQuotas({ enabled: false });
    return {
      quotaScale,
      resources: seeded.length,
      changed: exp.removals.size,
      wallMs: { none: round1(best.none), local: round1(best.local), oss: round1(best.oss) },
      calls,
      journalCost: { local: ratio(best.local, best.none), oss: ratio(best.oss, best.none) },
      journalObjects,
      restore: {
        wallMs: round1(wallMs),
        tagCalls,
        lowerBound,
        callsVsBound: ratio(tagCalls, lowerBound),
        restored: report.totals.restored,
        exact: canon(now) === canon(seeded),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const creds = (emu: EmulatorProcess) => ({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'testAccessKeyId',
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'testAccessKeySecret',
  endpoint: emu.url,
});
const round1 = (n: number) => Math.round(n * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
