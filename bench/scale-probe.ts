/**
 * Scale probe (issue 6, "scale"): the engine's peak RSS and time per resource at N resources.
 *
 *   npx tsx bench/scale-probe.ts 100000
 *   node --expose-gc --import tsx bench/scale-probe.ts 1000000   # also the live heap (after full GCs)
 *
 * The emulator runs in a child process (its store of N resources is not ours), seeded with N IPAM pools
 * carrying 3-8 tags from 40 keys; this process runs one policy (30 exact keys and a pattern, as in the
 * call-efficiency set) through `runCleanup` over the real SDK, so `maxRSS` is the engine's own: node,
 * the SDK, the HTTP client and whatever the run holds per resource. Prints one JSON line.
 *
 * Reading the figures: `peakRssMb` includes tsx's loader (~50 MB of `baseRssMb`, taken before the run) and
 * garbage V8 has not collected yet (it grows the heap freely when nothing limits it); `liveHeapMb` is
 * what the run really holds. The SDK leaves each call's response timer armed until `readTimeoutMs`
 * (it reads bodies without clearing it), so each call's request and response stay reachable for that
 * long: live heap ~ call rate x readTimeoutMs, whatever N is. `PROBE_READ_TIMEOUT_MS` sets it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createCloudPort } from '../lib/cloud/client.ts';
import type { PolicyInput } from '../lib/policy/schema.ts';
import { runCleanup } from '../lib/run.ts';

const ACCESS_KEY_ID = 'benchAccessKeyId';
const ACCESS_KEY_SECRET = 'benchAccessKeySecret';
const KEY_COUNT = 40;

/** Starts `emulator/cli.ts` in a child process and resolves with its endpoint (`host:port`) from the ready line. */
export async function startEmulatorProcess(): Promise<{ child: ChildProcess; endpoint: string; url: string }> {
  const cli = fileURLToPath(new URL('../emulator/cli.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=4096', '--import', 'tsx', cli, '--port', '0', '--seed', 'none', '--no-quotas'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      },
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: string) => {
      out += chunk;
      const m = /emulator listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        child.stdout?.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready: ${out}`)));
  });
  return { child, url, endpoint: url.replace(/^http:\/\//, '') };
}

/** POST to the admin API over node:http (fetch would load undici into the measured process). */
function admin(url: string, path: string, body: unknown): Promise<unknown> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`admin ${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export interface ScaleFigures {
  resources: number;
  peakRssMb: number;
  /** Peak RSS before the run (node + SDK + HTTP client loaded), for the delta the run itself adds. */
  baseRssMb: number;
  /** Largest heap in use seen while the run went (sampled every 50 ms). */
  peakHeapMb: number;
  /** Largest heap in use right after a full GC (every 2 s), when run with `--expose-gc`. */
  liveHeapMb?: number;
  runMs: number;
  usPerResource: number;
  untagCalls: number;
  listCalls: number;
  untagged: number;
  keysRemoved: number;
  ok: boolean;
  error?: unknown;
}

/** Seeds `n` IPAM pools in a fresh child emulator and runs the reference policy over them in this process. */
export async function scaleProbe(n: number): Promise<ScaleFigures> {
  const emu = await startEmulatorProcess();
  try {
    // The admin API takes up to a million per call; slices keep each request small.
    for (let left = n, seed = 1; left > 0; seed++) {
      const count = Math.min(left, 250_000);
      await admin(emu.url, '/__admin/resources', {
        generate: {
          types: ['IPAMPOOL'],
          regions: ['cn-hangzhou'],
          count,
          keyCount: KEY_COUNT,
          keyPrefix: 'key-',
          tagsPerResource: [3, 8],
          seed,
        },
      });
      left -= count;
    }
    const cloud = createCloudPort({
      credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
      endpoint: emu.endpoint,
      ...(process.env.PROBE_READ_TIMEOUT_MS
        ? { limits: { readTimeoutMs: Number(process.env.PROBE_READ_TIMEOUT_MS) } }
        : {}),
    });
    const policy: PolicyInput = {
      name: `scale-${n}`,
      regions: ['cn-hangzhou'],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys: Array.from({ length: 30 }, (_, i) => `key-${i}`), keyPatterns: ['^key-3[5-9]$'] },
      limits: { concurrency: 16 },
    };
    (globalThis as { gc?: () => void }).gc?.();
    const baseRssMb = process.resourceUsage().maxRSS / 1024;
    // Heap after each GC is what the run holds live; RSS also holds garbage V8 has not yet collected.
    let peakHeap = 0;
    let liveHeap = 0;
    let ticks = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (gc && ++ticks % 40 === 0) {
        gc();
        liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
      }
    }, 50);
    const t0 = performance.now();
    // The emulator runs with --no-quotas and the engine's buckets are scaled out of the way: the probe
    // measures the engine, not the published quotas. No log sink: the function's stdout is not ours.
    const { report } = await runCleanup(
      { policy: policy as never, runId: `scale-${n}` },
      { cloud, quotaScale: 10_000, tuning: { retryBaseMs: 5, retryMaxMs: 50 } },
    );
    const runMs = performance.now() - t0;
    clearInterval(sampler);
    return {
      resources: n,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      baseRssMb: Math.round(baseRssMb),
      peakHeapMb: Math.round(peakHeap / 2 ** 20),
      ...(gc ? { liveHeapMb: Math.round(liveHeap / 2 ** 20) } : {}),
      runMs: Math.round(runMs),
      usPerResource: Math.round((runMs * 1000) / n),
      untagCalls: report.totals.calls.untag,
      listCalls: report.totals.calls.list,
      untagged: report.totals.untagged,
      keysRemoved: report.totals.keysRemoved,
      ok: report.ok,
      ...(report.ok ? {} : { error: report.error ?? report.errors[0] }),
    };
  } finally {
    emu.child.kill('SIGTERM');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? '100000');
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write('usage: npx tsx bench/scale-probe.ts N\n');
    process.exit(2);
  }
  scaleProbe(n).then(
    (f) => {
      process.stdout.write(`${JSON.stringify(f)}\n`);
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
