/**
 * The CLI as a user runs it: `node bin/vpc-tag-cleanup.mjs ...` in a child process, against the
 * emulator on port 0 (VPC_TAG_CLEANUP_ENDPOINT), checking output, exit codes and the final state.
 * Each spawn pays for loading tsx and the SDKs, so the checks that are about behaviour rather than the
 * executable call the same `main` in this process (`inProcess`).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify as toYaml } from 'yaml';

import { main } from '../../bin/cli.ts';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/vpc-tag-cleanup.mjs');

let emu: Emulator;
let dir: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Async on purpose: the emulator serves from this process, so the test must not block its event loop. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir, // no profile file: the credentials chain stops at the environment
          VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
          // The run store (journal) in the test's folder, not in the repository.
          VPC_TAG_CLEANUP_STORE: join(dir, 'runs'),
          ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `main` in this process, with the environment a spawned CLI would get. */
async function inProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const sink = () => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: { isTTY: false, write: (c: string) => chunks.push(String(c)) } as unknown as NodeJS.WritableStream,
    };
  };
  const out = sink();
  const err = sink();
  const code = await main(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, VPC_TAG_CLEANUP_STORE: join(dir, 'runs'), ...env },
  });
  return { code, stdout: out.chunks.join(''), stderr: err.chunks.join('') };
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.ok, `${method} ${path} -> ${r.status}`).toBe(true);
  return (await r.json()) as T;
}

const stats = () => admin<{ total: number; byAction: Record<string, Record<string, number>> }>('GET', '/__admin/stats');
const state = async () =>
  (await admin<{ resources: AdminResource[] }>('GET', '/__admin/resources')).resources.sort((a, b) =>
    `${a.type}/${a.id}`.localeCompare(`${b.type}/${b.id}`),
  );
const untagCalls = (s: Awaited<ReturnType<typeof stats>>) =>
  Object.entries(s.byAction)
    .filter(([api]) => /:Un[tT]agResources$/.test(api))
    .reduce((n, [, byCode]) => n + Object.values(byCode).reduce((a, b) => a + b, 0), 0);

const fixture: AdminResource[] = [
  ...Array.from({ length: 6 }, (_, i) => ({
    type: 'IPAMPOOL',
    region: i < 3 ? 'cn-hangzhou' : 'cn-shanghai',
    id: `ipam-pool-cli${i}`,
    tags: { CostCenter: `CC-${i}`, owner: 'alice', ...(i === 1 ? { 'legacy-owner': 'ops' } : {}) },
  })),
  {
    type: 'IPAMPOOL',
    region: 'cn-hangzhou',
    id: 'ipam-pool-keep',
    tags: { CostCenter: 'CC-K', 'cleanup:protect': 'true' },
  },
  { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-clean', tags: { owner: 'bob' } },
  ...Array.from({ length: 3 }, (_, i) => ({
    type: 'PeerConnection',
    region: 'cn-hangzhou',
    id: `pcc-cli${i}`,
    tags: { CostCenter: 'CC-9', env: 'dev' },
  })),
  { type: 'VPC', region: 'cn-shanghai', id: 'vpc-cli0', tags: { CostCenter: 'CC-7', 'acs:rm:rgId': 'rg-1' } },
];

const policy = {
  name: 'cli-test',
  regions: ['cn-hangzhou', 'cn-shanghai'],
  resourceTypes: ['IPAMPOOL', 'PeerConnection', 'VPC'],
  remove: { keys: ['CostCenter', 'legacy-owner'] },
  protect: { keys: ['owner'], resourceTag: { key: 'cleanup:protect', value: 'true' } },
};

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-cli-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  // The credentials chain reads the environment of the process it runs in (for `inProcess`).
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  await admin('POST', '/__admin/reset', {});
  await admin('POST', '/__admin/resources', { resources: fixture });
});

describe('vpc-tag-cleanup plan', () => {
  it('lists each resource and the keys that would go, exits 0, and makes no write call', async () => {
    const file = write('policy.json', JSON.stringify(policy));
    const r = await cli(['plan', '--policy', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would remove \(10 resources\)/);
    expect(r.stdout).toMatch(/ipam-pool-cli1\s+CostCenter, legacy-owner/);
    expect(r.stdout).toMatch(/region\s+type\s+matched\s+planned\s+skipped\s+failed/);
    expect(r.stdout).not.toContain('ipam-pool-keep  ');
    expect(untagCalls(await stats())).toBe(0);
    expect(await state()).toEqual([...fixture].sort((a, b) => `${a.type}/${a.id}`.localeCompare(`${b.type}/${b.id}`)));
  });
});

describe('vpc-tag-cleanup run', () => {
  it('removes the keys, keeps protected keys, resources and system tags, prints the table and exits 0', async () => {
    const file = write('policy.json', JSON.stringify(policy));
    const r = await cli(['run', '--policy', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/region\s+type\s+matched\s+untagged\s+skipped\s+failed/);
    expect(r.stdout).toMatch(/^cn-hangzhou\s+IPAMPOOL\s+\d+\s+3\s+/m);
    expect(r.stdout).toMatch(/result: ok/);
    const after = new Map((await state()).map((x) => [x.id, x.tags]));
    expect(after.get('ipam-pool-cli1')).toEqual({ owner: 'alice' });
    expect(after.get('pcc-cli0')).toEqual({ env: 'dev' });
    expect(after.get('vpc-cli0')).toEqual({ 'acs:rm:rgId': 'rg-1' });
    expect(after.get('ipam-pool-keep')).toEqual({ CostCenter: 'CC-K', 'cleanup:protect': 'true' });
    expect(after.get('ipam-pool-clean')).toEqual({ owner: 'bob' });
  });

  it('gives the same result for the same policy in YAML and in JSON', async () => {
    const json = await inProcess([
      'run',
      '--json',
      '--run-id',
      'same',
      '--policy',
      write('same.json', JSON.stringify(policy)),
    ]);
    const afterJson = await state();
    await admin('POST', '/__admin/reset', {});
    await admin('POST', '/__admin/resources', { resources: fixture });
    const yaml = await inProcess(['run', '--json', '--run-id', 'same', '--policy', write('same.yaml', toYaml(policy))]);
    const afterYaml = await state();
    expect([json.code, yaml.code]).toEqual([0, 0]);
    expect(afterYaml).toEqual(afterJson);
    const a = JSON.parse(json.stdout);
    const b = JSON.parse(yaml.stdout);
    const comparable = (rep: { totals: { calls: unknown }; resources: Array<{ id: string; type: string }> }) => ({
      totals: { ...rep.totals, calls: undefined },
      resources: rep.resources
        .map((x) => ({ ...x, requestId: undefined }))
        .sort((p, q) => `${p.type}/${p.id}`.localeCompare(`${q.type}/${q.id}`)),
    });
    expect(comparable(b)).toEqual(comparable(a));
    expect(a.totals.untagged).toBe(10);
    expect(a.ok).toBe(true);
  });

  it('exits 1 and names the failed resources when a batch fails for good', async () => {
    await admin('PUT', '/__admin/faults', {
      rules: [
        { kind: 'error', product: 'VpcPeer', action: 'UnTagResources', code: 'Forbidden.NoPermission', status: 403 },
      ],
    });
    const r = await cli(['run', '--policy', write('policy.json', JSON.stringify(policy))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failed \(3\):/);
    expect(r.stdout).toMatch(/pcc-cli0\s+Forbidden\.NoPermission/);
    expect(r.stdout).toContain('result: NOT OK');
    const after = new Map((await state()).map((x) => [x.id, x.tags]));
    expect(after.get('pcc-cli0')).toEqual({ CostCenter: 'CC-9', env: 'dev' });
    expect(after.get('ipam-pool-cli0')).toEqual({ owner: 'alice' });
  });
});

describe('overrides', () => {
  it('--region narrows the policy to the regions given, and a bad --concurrency is bad input', async () => {
    const file = write('policy.json', JSON.stringify(policy));
    const r = await inProcess(['plan', '--json', '--region', 'cn-shanghai', '--concurrency', '2', '--policy', file]);
    expect(r.code, r.stderr).toBe(0);
    const regions = new Set(
      (JSON.parse(r.stdout) as { resources: Array<{ region: string }> }).resources.map((x) => x.region),
    );
    expect([...regions]).toEqual(['cn-shanghai']);
    const bad = await inProcess(['plan', '--concurrency', 'many', '--policy', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency must be a positive integer');
  });
});

describe('--resource', () => {
  it('runs the policy on exactly the resources named, each listed by id; one that is not there is reported', async () => {
    const file = write('policy.json', JSON.stringify(policy));
    const r = await inProcess([
      'run',
      '--json',
      '--resource',
      'cn-shanghai/IPAMPOOL/ipam-pool-cli4,cn-hangzhou/peerconnection/pcc-cli1',
      '--policy',
      file,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { resources: Array<{ id: string; status: string }> };
    expect(report.resources.map((x) => [x.id, x.status]).sort()).toEqual([
      ['ipam-pool-cli4', 'untagged'],
      ['pcc-cli1', 'untagged'],
    ]);
    const after = new Map((await state()).map((x) => [x.id, x.tags]));
    expect(after.get('ipam-pool-cli4')).toEqual({ owner: 'alice' });
    expect(after.get('pcc-cli1')).toEqual({ env: 'dev' });
    expect(after.get('ipam-pool-cli3')).toEqual({ CostCenter: 'CC-3', owner: 'alice' });
    expect(after.get('pcc-cli0')).toEqual({ CostCenter: 'CC-9', env: 'dev' });
    const s = await stats();
    expect(
      Object.keys(s.byAction)
        .filter((a) => a.includes(':List') || a.includes(':Describe'))
        .sort(),
    ).toEqual(['VpcIpam:ListTagResources', 'VpcPeer:ListTagResources']);

    const missing = await inProcess([
      'plan',
      '--json',
      '--resource',
      'cn-hangzhou/IPAMPOOL/ipam-pool-nope',
      '--policy',
      file,
    ]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).errors).toEqual([
      expect.objectContaining({ code: 'RESOURCE_NOT_FOUND', ids: ['ipam-pool-nope'] }),
    ]);
  });

  it('is bad input, before any call, when malformed or outside the policy, naming the field', async () => {
    const file = write('policy.json', JSON.stringify(policy));
    const malformed = await inProcess(['plan', '--resource', 'cn-hangzhou/IPAMPOOL', '--policy', file]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("--resource: 'cn-hangzhou/IPAMPOOL' is not REGION/TYPE/ID");
    const outside = await inProcess([
      'plan',
      '--json',
      '--resource',
      'cn-hangzhou/IPAMPOOL/ipam-pool-cli0,eu-west-1/VPC/vpc-x,cn-hangzhou/IPAM/ipam-1',
      '--policy',
      file,
    ]);
    expect(outside.code).toBe(2);
    expect(JSON.parse(outside.stdout).error.issues.map((i: { path: string }) => i.path)).toEqual([
      'narrowTo[1].region',
      'narrowTo[2].type',
    ]);
    expect((await stats()).total).toBe(0);
  });
});

describe('limits.maxResources', () => {
  it('stops before the first write when more resources would change, and exits 1 naming LIMIT_EXCEEDED', async () => {
    const file = write('capped.json', JSON.stringify({ ...policy, limits: { maxResources: 3 } }));
    const r = await inProcess(['run', '--policy', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error: LIMIT_EXCEEDED: 10 resources would change');
    expect(untagCalls(await stats())).toBe(0);
    expect((await state()).find((x) => x.id === 'ipam-pool-cli0')?.tags.CostCenter).toBe('CC-0');
  });
});

describe('bad input', () => {
  it('exits 2, names the bad fields on stderr and sends nothing to the cloud', async () => {
    const bad = { ...policy, resourceTypes: ['IPAMPOOL', 'NOT_A_TYPE'], remvoe: true };
    const r = await cli(['run', '--policy', write('bad.json', JSON.stringify(bad))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('resourceTypes[1]');
    expect(r.stderr).toContain('remvoe');
    expect((await stats()).total).toBe(0);
  });

  it('exits 2 on a YAML syntax error, with the line, and on a missing --policy', async () => {
    const r = await cli(['plan', '--policy', write('bad.yaml', 'name: x\nregions: [cn-hangzhou\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid YAML at line \d+/);
    const missing = await inProcess(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--policy is required');
    expect((await stats()).total).toBe(0);
  });
});

describe('vpc-tag-cleanup schema and --help', () => {
  it('prints a JSON Schema that accepts the example policies and refuses an unknown field', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    // Draft 2020-12 (issue 14), valid under Ajv's strict mode.
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate(policy)).toBe(true);
    expect(validate({ ...policy, remvoe: 1 })).toBe(false);
  });

  it('prints help at the top level and for each command, and exits 2 on an unknown command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['plan', 'run', 'invoke', 'schema', 'emulator'])
      expect(top.stdout).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
    const plan = await inProcess(['plan', '--help']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Usage: vpc-tag-cleanup plan --policy FILE');
    const unknown = await inProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('vpc-tag-cleanup invoke', () => {
  it('sends the policy to the function through the invoker port on the 3.0 path and prints its report', async () => {
    await admin('POST', '/__admin/functions', {
      name: 'tag-cleanup',
      modulePath: join(ROOT, 'test/fixtures/cli/report-function.cjs'),
    });
    const env = { VPC_TAG_CLEANUP_FC_ENDPOINT: emu.url, ALIBABA_CLOUD_ACCOUNT_ID: emu.accountId };
    const file = write('policy.json', JSON.stringify(policy));
    const sync = await cli(['invoke', '--function', 'tag-cleanup', '--policy', file, '--run-id', 'inv-1'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('policy cli-test');
    expect(sync.stdout).toContain('run id inv-1');
    const async_ = await inProcess(['invoke', '--function', 'tag-cleanup', '--policy', file, '--async'], env);
    expect(async_.code, async_.stderr).toBe(0);
    expect(async_.stdout).toMatch(/^accepted: request id \S+/);
    const { invocations } = await admin<{ invocations: Array<{ invocationType: string }> }>(
      'GET',
      '/__admin/invocations',
    );
    expect(invocations.map((i) => i.invocationType).sort()).toEqual(['Async', 'Sync']);
    // A bad policy never leaves the workstation.
    const bad = await inProcess(
      [
        'invoke',
        '--function',
        'tag-cleanup',
        '--policy',
        write('bad.json', JSON.stringify({ ...policy, regions: [] })),
      ],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('regions');
    // A wrong invoker configuration is bad input too, naming the variable.
    const wrongApi = await inProcess(['invoke', '--function', 'tag-cleanup', '--policy', file], {
      ...env,
      VPC_TAG_CLEANUP_FC_API: '2021-04-06',
    });
    expect(wrongApi.code).toBe(2);
    expect(wrongApi.stderr).toContain('VPC_TAG_CLEANUP_FC_API');
    const after = await admin<{ invocations: unknown[] }>('GET', '/__admin/invocations');
    expect(after.invocations).toHaveLength(2);
  });
});

describe('vpc-tag-cleanup invoke, end to end', () => {
  it('runs the policy in the real handler behind the FC API, which untags through the OpenAPI side', async () => {
    await admin('POST', '/__admin/functions', {
      name: 'vpc-tag-cleanup',
      modulePath: join(ROOT, 'functions/tag-cleanup/index.ts'),
      timeoutSeconds: 60,
      env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, VPC_TAG_CLEANUP_STORE: 'none' },
    });
    const env = { VPC_TAG_CLEANUP_FC_ENDPOINT: emu.url, ALIBABA_CLOUD_ACCOUNT_ID: emu.accountId };
    // The handler runs in this process and logs its report as JSON lines: keep them out of the test output.
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const r = await inProcess(
      [
        'invoke',
        '--function',
        'vpc-tag-cleanup',
        '--run-id',
        'e2e-1',
        '--policy',
        write('policy.json', JSON.stringify(policy)),
      ],
      env,
    ).finally(() => quiet.mockRestore());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/total\s+\d+\s+10\s+/);
    const after = new Map((await state()).map((x) => [x.id, x.tags]));
    expect(after.get('ipam-pool-cli1')).toEqual({ owner: 'alice' });
    expect(after.get('ipam-pool-keep')).toEqual({ CostCenter: 'CC-K', 'cleanup:protect': 'true' });
  });
});

describe('vpc-tag-cleanup emulator', () => {
  it('prints its ready line, answers signed SDK calls through the CLI, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--seed', 'demo'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString();
        const m = /^emulator listening on (http:\/\/\S+)\n/.exec(text);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${text}`)));
    });
    const endpoint = url.replace('http://', '');
    let r: CliResult;
    try {
      r = await inProcess(['plan', '--json', '--policy', join(ROOT, 'examples/drop-legacy-cost-tags.json')], {
        VPC_TAG_CLEANUP_ENDPOINT: endpoint,
      });
    } finally {
      child.kill('SIGTERM');
    }
    const exitCode =
      child.exitCode ?? (await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))));
    expect(exitCode).toBe(0);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { dryRun: boolean; totals: { planned: number } };
    expect(report.dryRun).toBe(true);
    expect(report.totals.planned).toBeGreaterThan(0);
  });
});
