/**
 * `npm run emulator`: the CLI prints one ready line with the real port, serves the demo data to the
 * official SDK, and closes cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sdkCall, sdkClient } from '../support/sdk.ts';

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [tsxCli, 'emulator/cli.ts', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'cliKeyId', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'cliKeySecret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => {
    out += c;
  });
  child.stderr!.on('data', (c) => {
    err += c;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

async function firstLine(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (!output().includes('\n')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return output().split('\n')[0]!;
}

describe('the emulator CLI', () => {
  it('prints one ready line with the real port, serves the demo data, and exits 0 on SIGTERM', async () => {
    const child = run(['--port', '0', '--seed', 'demo', '--quota-scale', '2', '--behaviour', 'quotaWindow=minute']);
    const io = collect(child);
    try {
      const line = await firstLine(child, io.out);
      const match = /^emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
      expect(match, line).not.toBeNull();
      const port = Number(match![1]);
      expect(port).toBeGreaterThan(0);

      const pools = (await (
        await fetch(`http://127.0.0.1:${port}/__admin/resources?type=IPAMPOOL&region=cn-hangzhou`)
      ).json()) as any;
      expect(pools.resources.length).toBeGreaterThan(0);
      const quotas = (await (await fetch(`http://127.0.0.1:${port}/__admin/quotas`)).json()) as any;
      expect(quotas.scale).toBe(2);
      const behaviour = (await (await fetch(`http://127.0.0.1:${port}/__admin/behaviour`)).json()) as any;
      expect(behaviour).toMatchObject({ quotaWindow: 'minute', listTagsByKey: 'full' });

      const client = sdkClient(`127.0.0.1:${port}`, { accessKeyId: 'cliKeyId', accessKeySecret: 'cliKeySecret' });
      const res = await sdkCall(client, 'VpcIpam', 'ListIpamPools', { RegionId: 'cn-hangzhou', MaxResults: 100 });
      expect(res.body.IpamPools.length).toBe(pools.resources.length);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await io.exit).toBe(0);
    expect(io.out().trim().split('\n')).toHaveLength(1);
  });

  it('starts empty with --seed none', async () => {
    const child = run(['--port', '0', '--seed', 'none']);
    const io = collect(child);
    try {
      const port = /:(\d+)$/.exec(await firstLine(child, io.out))![1];
      const all = (await (await fetch(`http://127.0.0.1:${port}/__admin/resources`)).json()) as any;
      expect(all.resources).toEqual([]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await io.exit).toBe(0);
  });

  it('prints usage for --help and refuses a bad option with exit code 2', async () => {
    const help = run(['--help']);
    const helpIo = collect(help);
    expect(await helpIo.exit).toBe(0);
    expect(helpIo.out()).toContain('--quota-scale');
    const bad = run(['--seed', 'everything']);
    const badIo = collect(bad);
    expect(await badIo.exit).toBe(2);
    expect(badIo.err()).toContain('--seed must be demo or none');
  });
});
