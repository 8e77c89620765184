/**
 * Emulator throughput (issue 2): signed requests per second with faults and quotas off, against an
 * emulator in its own process, from load processes started together. Two figures: callers on the
 * official SDK (what the engine pays per call, client CPU included), and callers on the suite's own
 * lightweight ACS3 signer (closer to the emulator's own capacity: on a 2-core machine the load
 * processes compete with the emulator for CPU, so both are lower bounds).
 */
import { runChild, spawnEmulator } from '../processes.ts';
import type { EmulatorThroughput } from '../results.ts';

type Load = { requests: number; errors: number; ms: number };

async function load(endpoint: string, client: 'sdk' | 'signer', processes: number, clients: number, seconds: number) {
  const startAt = Date.now() + 2_500; // every load process starts together, after tsx has loaded
  const results = await Promise.all(
    Array.from({ length: processes }, () => runChild<Load>('bench/child/load.ts', { endpoint, clients, seconds, startAt, client })),
  );
  const requests = results.reduce((n, r) => n + r.result.requests, 0);
  const errors = results.reduce((n, r) => n + r.result.errors, 0);
  const ms = Math.max(...results.map((r) => r.result.ms));
  return { clients: processes * clients, requests, errors, perSecond: requests / (ms / 1000) };
}

export async function emulatorThroughput(opts: { processes: number; clientsPerProcess: number; seconds: number }): Promise<EmulatorThroughput> {
  const emu = await spawnEmulator({ quotas: false });
  try {
    await emu.admin.seed(
      Array.from({ length: 10 }, (_, i) => ({ type: 'PeerConnection', region: 'cn-hangzhou', id: `pcc-load${i}`, tags: { team: 'a' } })),
    );
    await emu.admin.setQuotas({ enabled: false });
    const signer = await load(emu.endpoint, 'signer', opts.processes, opts.clientsPerProcess, opts.seconds);
    const sdk = await load(emu.endpoint, 'sdk', opts.processes, opts.clientsPerProcess, opts.seconds);
    return {
      clients: signer.clients,
      seconds: opts.seconds,
      requests: signer.requests,
      perSecond: signer.perSecond,
      errors: signer.errors,
      action: 'VpcPeer:ListTagResources',
      sdk: { clients: sdk.clients, requests: sdk.requests, perSecond: sdk.perSecond, errors: sdk.errors },
    };
  } finally {
    await emu.close();
  }
}
