/**
 * The policy-file items of issue 12's "Also" list, through the CLI's `main` in this process (no cloud
 * call is reached): a billion-laughs YAML is bad input (exit 2, one line), a JSON file with a byte-order
 * mark is read, and a JSON object with a repeated key is refused like YAML refuses it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { parsePolicyText } from '../../bin/policy-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'policy-file-hostile-'));
const policy = { name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['IPAMPOOL'], remove: { keys: ['tmp'] } };

async function plan(file: string, text: string) {
  const path = join(dir, file);
  writeFileSync(path, text);
  const out: string[] = [];
  const err: string[] = [];
  const stream = (chunks: string[]) =>
    ({ isTTY: false, write: (c: string) => chunks.push(String(c)) }) as unknown as NodeJS.WritableStream;
  // Port 9 (discard) on loopback: a call that slipped through would fail, never reach a cloud.
  const code = await main(['plan', '--policy', path], {
    stdout: stream(out),
    stderr: stream(err),
    env: { VPC_TAG_CLEANUP_ENDPOINT: '127.0.0.1:9' },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const laughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    const cur = String.fromCharCode(98 + i);
    return `${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`;
  }),
  'name: *i',
  'regions: [cn-hangzhou]',
  'resourceTypes: [IPAMPOOL]',
  'remove: { keys: [tmp] }',
].join('\n');

describe('hostile policy files', () => {
  it('a billion-laughs YAML is bad input: exit 2, one line naming the file, no stack', async () => {
    const r = await plan('laughs.yaml', laughs);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/laughs\.yaml/);
    expect(lines[0]).toMatch(/alias/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads a JSON policy that starts with a byte-order mark', () => {
    expect(parsePolicyText(`\uFEFF${JSON.stringify(policy)}`, 'json', 'bom.json')).toEqual(policy);
    expect(parsePolicyText(`\uFEFFname: p\n`, 'yaml', 'bom.yaml')).toEqual({ name: 'p' });
  });

  it('a JSON policy with a byte-order mark plans like one without', async () => {
    const r = await plan('bom.json', `\uFEFF${JSON.stringify({ ...policy, regions: ['nope'] })}`);
    // The file is read; the policy check then speaks about its content, not its encoding.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/regions\[0\]/);
    expect(r.stderr).not.toMatch(/not valid JSON/);
  });

  it('refuses a JSON object with a repeated key, naming the key and its line, at any depth', () => {
    const top = '{\n  "name": "a",\n  "name": "b"\n}';
    expect(() => parsePolicyText(top, 'json', 'dup.json')).toThrow(/dup\.json.*"name".*line 3/);
    const deep = JSON.stringify(policy).replace('"keys":["tmp"]', '"keys":["tmp"],"keys":["owner"]');
    expect(() => parsePolicyText(deep, 'json', 'deep.json')).toThrow(/"keys"/);
    // The same key in sibling objects and an escaped spelling of a different key are not repeats.
    const siblings = '{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}],"k\\u0031":1,"k1x":2}';
    expect(parsePolicyText(siblings, 'json', 'ok.json')).toEqual(JSON.parse(siblings));
    // An escaped spelling of the same key is the same key.
    expect(() => parsePolicyText('{"name":"a","n\\u0061me":"b"}', 'json', 'esc.json')).toThrow(/"name"/);
  });

  it('a JSON policy with a repeated key exits 2 with one line', async () => {
    const r = await plan('dup.json', '{"name":"a","name":"b","regions":["cn-hangzhou"]}');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/"name" appears twice/);
  });
});
