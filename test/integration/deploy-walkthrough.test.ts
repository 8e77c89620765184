/**
 * The README's deploy section (docs/deploy.md), followed step by step against the emulator's FC side:
 * `npm run build` (the build script's own function, once), `s deploy` (the bundle registered with the
 * props and environment s.yaml gives it, endpoints pointed at the emulator), `s invoke -e "$(cat
 * examples/...)"` for each example event through the FC 3.0 SDK as `s invoke` sends it, and the cloud
 * read back after each. Also: dist/ carries source maps that resolve.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createFc3Invoker } from '../../lib/invoker/fc3.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';
import { type BuildResult, buildFunction } from '../../scripts/build.ts';
import { CONFIG_POLICY_FILE, embedPolicies, TIMER_POLICY_FILE } from '../../scripts/embed-policies.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let emu: Emulator;
let dir: string;
let built: BuildResult;

async function admin<T>(method: string, p: string, body?: unknown): Promise<T> {
  const r = await fetch(`${emu.url}${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.ok, `${method} ${p} -> ${r.status}`).toBe(true);
  return (await r.json()) as T;
}

const tagsOf = async () =>
  new Map(
    (await admin<{ resources: AdminResource[] }>('GET', '/__admin/resources')).resources.map((r) => [
      `${r.type}/${r.id}`,
      r.tags,
    ]),
  );

/** `s invoke -e "$(cat examples/<file>)"`: the file's text as the event, through the FC 3.0 SDK. */
async function sInvoke(file: string): Promise<any> {
  const event = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
  const invoker = createFc3Invoker({
    credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
    accountId: emu.accountId,
    region: 'cn-hangzhou',
    endpoint: emu.url,
  });
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const out = await invoker.invokeSync('vpc-tag-cleanup', event);
    expect(out.status, JSON.stringify(out)).toBe('answered');
    await admin('POST', '/__admin/invocations/wait', { timeoutMs: 20_000 });
    return out.status === 'answered' ? out.data : undefined;
  } finally {
    quiet.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vtc-deploy-'));
  // Step 4: npm run build (once for the file).
  built = await buildFunction({ outdir: path.join(dir, 'dist'), embed: false });
  emu = await startEmulator({ port: 0, seed: 'none', behaviour: { fcInvokeSignature: 'either' } });
  // Step 4: s deploy. The function as s.yaml describes it, its environment resolved as `s` would.
  const doc = parse(readFileSync(path.join(ROOT, 's.yaml'), 'utf8'));
  const props = doc.resources['tag-cleanup'].props as {
    handler: string;
    timeout: number;
    memorySize: number;
    environmentVariables: Record<string, string>;
  };
  const env = Object.fromEntries(
    Object.entries(props.environmentVariables).map(([k, v]) => [
      k,
      String(v).replace(/\$\{vars\.(\w+)\}/g, (_m, name: string) => String(doc.vars?.[name])),
    ]),
  );
  // The deployed store is an OSS bucket (s.yaml vars.storeBucket); here the function runs without one.
  expect(env.VPC_TAG_CLEANUP_STORE).toMatch(/^oss:\/\//);
  const [file, exportName] = props.handler.split('.') as [string, string];
  await admin('POST', '/__admin/functions', {
    name: 'vpc-tag-cleanup',
    modulePath: path.join(path.dirname(built.bundlePath), `${file}.js`),
    exportName,
    timeoutSeconds: props.timeout,
    memoryMB: props.memorySize,
    env: {
      ...env,
      VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
      VPC_TAG_CLEANUP_FC_ENDPOINT: emu.url,
      VPC_TAG_CLEANUP_STORE: 'none',
    },
  });
}, 120_000);

afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('step 4: npm run build', () => {
  it('writes the bundle and its chunks with source maps that resolve', () => {
    const out = path.dirname(built.bundlePath);
    const scripts = Object.keys(built.bytes).filter((f) => f.endsWith('.js'));
    expect(scripts).toContain('index.js');
    for (const f of scripts) {
      const text = readFileSync(path.join(out, f), 'utf8');
      const ref = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      expect(ref, f).toBe(`${f}.map`);
      const map = JSON.parse(readFileSync(path.join(out, ref as string), 'utf8')) as { sources: string[] };
      expect(
        map.sources.some((s) => s.includes('lib/') || s.includes('functions/')),
        f,
      ).toBe(true);
    }
    expect(JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('embeds the readable policies/ files into s.yaml and the sample timer event, and they are valid', () => {
    expect(embedPolicies(ROOT, { check: true }).changed).toEqual([]);
    for (const f of [TIMER_POLICY_FILE, CONFIG_POLICY_FILE]) {
      const parsed = parsePolicy(JSON.parse(readFileSync(path.join(ROOT, f), 'utf8')));
      expect(parsed.ok, `${f}: ${JSON.stringify(parsed)}`).toBe(true);
    }
    const doc = parse(readFileSync(path.join(ROOT, 's.yaml'), 'utf8'));
    const nightly = doc.resources['tag-cleanup'].props.triggers.find(
      (t: { triggerName: string }) => t.triggerName === 'nightly',
    );
    expect(JSON.parse(nightly.triggerConfig.payload)).toEqual({
      policy: JSON.parse(readFileSync(path.join(ROOT, TIMER_POLICY_FILE), 'utf8')),
    });
  });
});

describe('step 5: s invoke -e with each example event', () => {
  it('timer-payload.json runs the nightly policy, fanned out per region, and cleans both regions', async () => {
    await admin('POST', '/__admin/resources', {
      resources: [
        { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-night1', tags: { tmp: '1', owner: 'a' } },
        { type: 'IPAMPOOL', region: 'cn-shanghai', id: 'ipam-pool-night2', tags: { 'tmp-build': '2' } },
        { type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-night3', tags: { tmp: '3', keep: 'x' } },
        {
          type: 'IPAMPOOL',
          region: 'cn-hangzhou',
          id: 'ipam-pool-guard',
          tags: { tmp: '4', 'cleanup:protect': 'true' },
        },
      ],
    });
    const report = await sInvoke('timer-payload.json');
    expect(report.ok, JSON.stringify(report)).toBe(true);
    expect(report.runId).toMatch(/^timer-nightly-/);
    const tags = await tagsOf();
    expect(tags.get('IPAMPOOL/ipam-pool-night1')).toEqual({ owner: 'a' });
    expect(tags.get('IPAMPOOL/ipam-pool-night2')).toEqual({});
    expect(tags.get('PeerConnection/pcc-night3')).toEqual({ keep: 'x' });
    expect(tags.get('IPAMPOOL/ipam-pool-guard')).toEqual({ tmp: '4', 'cleanup:protect': 'true' });
  });

  it('eventbridge-config-noncompliant.json cleans the flagged VPC with the embedded config-driven policy', async () => {
    await admin('POST', '/__admin/resources', {
      resources: [
        {
          type: 'VPC',
          region: 'cn-hangzhou',
          id: 'vpc-bp1demo0000000000001',
          tags: { 'legacy-owner': 'x', owner: 'o' },
        },
        { type: 'VPC', region: 'cn-hangzhou', id: 'vpc-bp1other', tags: { 'legacy-owner': 'y' } },
      ],
    });
    const report = await sInvoke('eventbridge-config-noncompliant.json');
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const tags = await tagsOf();
    expect(tags.get('VPC/vpc-bp1demo0000000000001')).toEqual({ owner: 'o' });
    // Narrowed to the flagged resource: the other VPC is not touched.
    expect(tags.get('VPC/vpc-bp1other')).toEqual({ 'legacy-owner': 'y' });
  });

  it('a manual payload of an example policy (a dry run) answers its plan and changes nothing', async () => {
    await admin('POST', '/__admin/resources', {
      resources: [
        {
          type: 'IPAMPOOL',
          region: 'cn-hangzhou',
          id: 'ipam-pool-dec1',
          tags: { 'ipam-scope': 'decommissioned', x: '1' },
        },
      ],
    });
    const policy = JSON.parse(readFileSync(path.join(ROOT, 'examples/strip-decommissioned-pools.json'), 'utf8'));
    const invoker = createFc3Invoker({
      credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
      accountId: emu.accountId,
      region: 'cn-hangzhou',
      endpoint: emu.url,
    });
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const out = await invoker.invokeSync('vpc-tag-cleanup', { policy }).finally(() => quiet.mockRestore());
    expect(out.status).toBe('answered');
    const report = (out as { data: any }).data;
    expect(report).toMatchObject({ ok: true, dryRun: true });
    expect(report.resources.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      ['ipam-pool-dec1', 'planned'],
    ]);
    expect((await tagsOf()).get('IPAMPOOL/ipam-pool-dec1')).toEqual({ 'ipam-scope': 'decommissioned', x: '1' });
  });
});

describe('what the walkthrough names exists', () => {
  it('every file the README deploy section, docs/ and s.yaml point at is in the repository', () => {
    const texts = ['README.md', 's.yaml', 'docs/deploy.md', 'docs/function.md'].map((f) => [
      f,
      readFileSync(path.join(ROOT, f), 'utf8'),
    ]);
    const missing: string[] = [];
    for (const [f, text] of texts) {
      for (const m of (text as string).matchAll(
        /(?<![\w./-])((?:docs|examples|policies|scripts|bin|lib|functions|emulator)\/[\w./-]+\.(?:json|md|ts|yaml|yml))/g,
      )) {
        if (!existsSync(path.join(ROOT, m[1] as string))) missing.push(`${f}: ${m[1]}`);
      }
      const base = path.dirname(path.join(ROOT, f as string));
      for (const m of (text as string).matchAll(/\]\(([\w./-]+\.(?:json|md))\)/g))
        if (!existsSync(path.join(base, m[1] as string))) missing.push(`${f}: (${m[1]})`);
      if (/\.\.\/shared\/|\bDESIGN\.md\b/.test(text as string))
        missing.push(`${f}: cites a file outside the repository`);
    }
    expect(missing).toEqual([]);
  });
});
