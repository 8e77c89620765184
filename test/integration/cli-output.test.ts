/**
 * The CLI's output discipline (issue 14): under `--json` every answer, bad input included, is one JSON
 * document on stdout; errors are one line (no stack trace) on stderr; bad input exits 2; every stream
 * ends on a newline; `--version` works. Mostly `main` in this process (cheap); the executable is spawned
 * where the environment is the point (no credentials).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { type CliResult, runCliInProcess } from './support/cli-in-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let emu: Emulator;
let dir: string;

async function inProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliInProcess(args, { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, ...env });
}

function spawnCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/vpc-tag-cleanup.mjs'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const write = (name: string, value: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};

const good = {
  name: 'out-test',
  regions: ['cn-hangzhou'],
  resourceTypes: ['IPAMPOOL'],
  remove: { keys: ['CostCenter'] },
};

/** The one JSON document a `--json` run must print, or a failed expectation saying what came instead. */
function onlyDocument(r: CliResult): Record<string, unknown> {
  let doc: unknown;
  expect(() => {
    doc = JSON.parse(r.stdout);
  }, `stdout is not one JSON document: ${r.stdout}`).not.toThrow();
  expect(typeof doc).toBe('object');
  return doc as Record<string, unknown>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-out-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
});

afterAll(async () => {
  await emu?.close();
});

describe('--json on every error path', () => {
  it('answers an invalid policy under run --json with {ok:false, error:{code, issues}} on stdout and exits 2', async () => {
    const file = write('bad.json', { ...good, dryRun: 'true' });
    const r = await inProcess(['run', '--policy', file, '--json']);
    expect(r.code).toBe(2);
    const doc = onlyDocument(r);
    expect(doc.ok).toBe(false);
    const error = doc.error as { code: string; message: string; issues: Array<{ path: string }> };
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.issues.map((i) => i.path)).toEqual(['dryRun']);
    expect(r.stderr).toMatch(/^vpc-tag-cleanup run: .*invalid policy/);
  });

  it('answers bad arguments, an unknown command and an unreadable file with one JSON document each', async () => {
    const cases: Array<[string[], string]> = [
      [['plan', '--polcy', 'x.json', '--json'], 'USAGE'],
      [['plan', '--json'], 'USAGE'],
      [['plna', '--json'], 'USAGE'],
      [['run', '--policy', join(dir, 'missing.json'), '--json'], 'INVALID_POLICY'],
      [['run', '--policy', write('syntax.json', '{"name": '), '--json'], 'INVALID_POLICY'],
      [['invoke', '--policy', write('ok.json', good), '--function', 'f', '--json'], 'USAGE'],
    ];
    for (const [args, code] of cases) {
      const r = await inProcess(args, { ALIBABA_CLOUD_ACCOUNT_ID: '' });
      expect(r.code, args.join(' ')).toBe(2);
      const doc = onlyDocument(r);
      expect(doc, args.join(' ')).toMatchObject({ ok: false, error: { code } });
      expect(r.stderr.trimEnd().split('\n')[0], args.join(' ')).toMatch(/^vpc-tag-cleanup/);
    }
  });

  it('suggests the command meant by a misspelt one', async () => {
    const r = await inProcess(['plna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'plan'?");
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('invoke on a function that does not exist', () => {
  it('prints one line naming the function and the cloud code, no stack trace, and exits 2', async () => {
    const env = { VPC_TAG_CLEANUP_FC_ENDPOINT: emu.url, ALIBABA_CLOUD_ACCOUNT_ID: emu.accountId };
    const file = write('inv.json', good);
    const r = await inProcess(['invoke', '--function', 'no-such-function', '--policy', file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^vpc-tag-cleanup invoke: .*no-such-function.*FunctionNotFound/);
    expect(lines.length).toBeLessThanOrEqual(2);
    const j = await inProcess(['invoke', '--function', 'no-such-function', '--policy', file, '--json'], env);
    expect(onlyDocument(j)).toMatchObject({ ok: false, error: { code: 'FunctionNotFound' } });
  });
});

describe('--version', () => {
  it('prints the package version at the top level and after any command, as JSON under --json', async () => {
    const top = await inProcess(['--version']);
    expect(top.code).toBe(0);
    expect(top.stdout).toBe(`vpc-tag-cleanup ${VERSION}\n`);
    const sub = await inProcess(['plan', '--version', '--json']);
    expect(onlyDocument(sub)).toEqual({ ok: true, name: 'vpc-tag-cleanup', version: VERSION });
  });
});

describe('final newline', () => {
  it('ends stdout and stderr on a newline on every exit path', async () => {
    const file = write('nl.json', good);
    const runs = await Promise.all(
      [
        ['--help'],
        ['--version'],
        ['schema'],
        ['plan', '--policy', file],
        ['plan', '--policy', file, '--json'],
        ['plan'],
        ['plan', '--json'],
        ['nope'],
        ['run', '--policy', write('nl-bad.json', { ...good, regions: [] })],
      ].map((args) => inProcess(args).then((r) => [args, r] as const)),
    );
    for (const [args, r] of runs) {
      expect(r.stdout + r.stderr, args.join(' ')).not.toBe('');
      for (const text of [r.stdout, r.stderr]) if (text !== '') expect(text.endsWith('\n'), args.join(' ')).toBe(true);
    }
  });
});

describe('no credentials', () => {
  it('says so in one short line, exits 2, and answers NO_CREDENTIALS under --json', async () => {
    const file = write('nocred.json', good);
    const r = await spawnCli(['plan', '--policy', file, '--json'], {
      HOME: dir,
      VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
      // The chain would otherwise ask the ECS metadata service, off this machine.
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    });
    expect(r.code).toBe(2);
    expect(onlyDocument(r)).toMatchObject({ ok: false, error: { code: 'NO_CREDENTIALS' } });
    const line = r.stderr.trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    expect(line.length).toBeLessThan(160);
    expect(line).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });
});
