/**
 * Emulator throughput (issue 2): signed requests per second with faults and quotas off, from several
 * SDK clients spread over load processes, against an emulator in its own process. On a 2-core machine
 * the load generators compete with the emulator for CPU, so this is a lower bound on what the
 * emulator can serve.
 */
import { spawnEmulator, runChild } from '../processes.ts';
import type { EmulatorThroughput } from '../results.ts';

export async function emulatorThroughput(opts: { processes: number; clientsPerProcess: number; seconds: number }): Promise<EmulatorThroughput> {
  const emu = await spawnEmulator({ quotas: false });
  try {
    await emu.admin.seed(
      Array.from({ length: 10 }, (_, i) => ({ type: 'PeerConnection', region: 'cn-hangzhou', id: `pcc-load${i}`, tags: { team: 'a' } })),
    );
    await emu.admin.setQuotas({ enabled: false });
    const startAt = Date.now() + 2_000; // every load process starts together, after tsx has loaded
    const results = await Promise.all(
      Array.from({ length: opts.processes }, () =>
        runChild<{ requests: number; errors: number; ms: number }>('bench/child/load.ts', {
          endpoint: emu.endpoint,
          clients: opts.clientsPerProcess,
          seconds: opts.seconds,
          startAt,
        }),
      ),
    );
    const requests = results.reduce((n, r) => n + r.result.requests, 0);
    const errors = results.reduce((n, r) => n + r.result.errors, 0);
    const ms = Math.max(...results.map((r) => r.result.ms));
    return {
      clients: opts.processes * opts.clientsPerProcess,
      seconds: opts.seconds,
      requests,
      perSecond: requests / (ms / 1000),
      errors,
      action: 'VpcPeer:ListTagResources',
    };
  } finally {
    await emu.close();
  }
}
