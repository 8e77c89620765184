/**
 * Scale: the same policy over 100,000 and 1,000,000 resources (half IPAM pools, half peer connections,
 * one region, quotas off). The engine runs in a fresh process per point, so its peak RSS (VmHWM) is its
 * own; the emulator holding the resources lives in another process.
 */
import { benchPolicy, type Dataset, seedDataset } from '../dataset.ts';
import { measureOurs, UNPACED } from '../measure.ts';
import { spawnEmulator } from '../processes.ts';
import type { Scale, ScalePoint } from '../results.ts';

/** The old-space cap `s.yaml` deploys the function with (NODE_OPTIONS): the capped run measures that. */
const CAPPED_OLD_SPACE_MB = 192;

/** `extras`: the live-heap and capped-heap runs at the largest size (left out of `--quick`). */
export async function scale(sizes: number[], log: (line: string) => void, extras = true): Promise<Scale> {
  const emu = await spawnEmulator({ quotas: false, maxOldSpaceMB: 6_144 });
  const points: ScalePoint[] = [];
  try {
    for (const n of sizes) {
      const d: Dataset = { regions: ['cn-hangzhou'], pools: Math.floor(n / 2), peers: n - Math.floor(n / 2), seed: 7 };
      const g0 = performance.now();
      await seedDataset(emu.admin, d);
      await emu.admin.setQuotas({ enabled: false });
      log(`  scale: ${n.toLocaleString('en-US')} resources generated in ${Math.round(performance.now() - g0)} ms`);
      // Node's default heap ceiling: a larger one would let V8 collect later and inflate the RSS judged.
      const m = await measureOurs(emu, benchPolicy(d), `bench-scale-${n}`, UNPACED);
      const child = m.child;
      points.push({
        resources: n,
        wallMs: m.figures.wallMs,
        usPerResource: (m.figures.wallMs * 1000) / n,
        peakRssMB: child?.peakRssMB ?? Number.NaN,
        rssAtStartMB: child?.rssAtStartMB ?? Number.NaN,
        calls: m.figures.calls,
        ok: m.figures.ok === true && (child?.totals.failed ?? 1) === 0,
      });
      log(
        `  scale: ${n.toLocaleString('en-US')} resources run in ${Math.round(m.figures.wallMs)} ms, peak RSS ${Math.round(child?.peakRssMB ?? 0)} MB`,
      );
      if (extras && n === sizes[sizes.length - 1]) {
        // Once more at the largest size, with a full GC every 2 s: the most the run really holds live
        // (peak RSS also counts garbage V8 keeps while nothing limits its heap).
        await seedDataset(emu.admin, d);
        await emu.admin.setQuotas({ enabled: false });
        const live = await measureOurs(emu, benchPolicy(d), `bench-scale-live-${n}`, UNPACED, {
          nodeArgs: ['--expose-gc'],
          sampleLiveHeapMs: 2_000,
        });
        const point = points[points.length - 1];
        if (point && live.child?.liveHeapMaxMB !== undefined) point.liveHeapMaxMB = live.child.liveHeapMaxMB;
        log(
          `  scale: ${n.toLocaleString('en-US')} resources, live heap at most ${Math.round(live.child?.liveHeapMaxMB ?? 0)} MB`,
        );
        // And with V8's old space capped as s.yaml deploys the function (NODE_OPTIONS): what RSS the engine
        // needs when V8 may not keep garbage freely. Filed beside the uncapped figure, which is judged.
        await seedDataset(emu.admin, d);
        await emu.admin.setQuotas({ enabled: false });
        const capped = await measureOurs(emu, benchPolicy(d), `bench-scale-capped-${n}`, UNPACED, {
          nodeArgs: [`--max-old-space-size=${CAPPED_OLD_SPACE_MB}`],
        });
        if (point && capped.child) {
          point.capped = {
            maxOldSpaceMB: CAPPED_OLD_SPACE_MB,
            peakRssMB: capped.child.peakRssMB,
            wallMs: capped.figures.wallMs,
            ok: capped.figures.ok === true,
          };
        }
        log(
          `  scale: ${n.toLocaleString('en-US')} resources with old space <= ${CAPPED_OLD_SPACE_MB} MB: ${Math.round(capped.figures.wallMs)} ms, peak RSS ${Math.round(capped.child?.peakRssMB ?? 0)} MB`,
        );
      }
      await emu.admin.reset();
    }
  } finally {
    await emu.close();
  }
  const first = points[0];
  const last = points[points.length - 1];
  const out: Scale = { points };
  if (first && last && last !== first) out.timeRatio = last.usPerResource / first.usPerResource;
  return out;
}
