import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, parseStoreLocation } from '../../lib/store/index.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import { describeRunStore } from './support/store-suite.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'vtc-store-'));

describeRunStore('local directory', async () => createLocalStore(fresh()));

describe('the local run store', () => {
  it('never lists a temporary file a crashed put left behind', async () => {
    const dir = fresh();
    const s = createLocalStore(dir);
    await s.put('run/journal/w-00000001.jsonl', 'whole');
    writeFileSync(join(dir, 'run', 'journal', '.tmp-999-1'), 'torn');
    expect(await s.list('run/')).toEqual(['run/journal/w-00000001.jsonl']);
  });

  it('refuses a key that would leave its folder', async () => {
    const s = createLocalStore(fresh());
    await expect(s.put('../escape.json', 'x')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('answers a write it cannot make with STORE_UNAVAILABLE naming the store, and leaves no file', async () => {
    const dir = fresh();
    // A file where the run's folder should be: the write fails whoever runs the test (root included).
    writeFileSync(join(dir, 'blocked'), 'not a folder');
    const s = createLocalStore(dir);
    const err = await s.put('blocked/report.json', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((err as Error).message).toContain(dir);
    expect(readdirSync(dir)).toEqual(['blocked']);
  });
});

describe('parseStoreLocation', () => {
  it('reads a directory, an OSS location and none', () => {
    expect(parseStoreLocation('./runs')).toEqual({ kind: 'local', dir: './runs' });
    expect(parseStoreLocation('oss://my-bucket/a/b/')).toEqual({ kind: 'oss', bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseStoreLocation('oss://my-bucket')).toEqual({ kind: 'oss', bucket: 'my-bucket', prefix: '' });
    expect(parseStoreLocation('none')).toEqual({ kind: 'none' });
  });

  it('refuses a bad bucket, another scheme and an empty value, naming the value', () => {
    expect(() => parseStoreLocation('oss://Bad_Bucket/x')).toThrow(/Bad_Bucket/);
    expect(() => parseStoreLocation('s3://bucket/x')).toThrow(/s3:\/\/bucket/);
    expect(() => parseStoreLocation('  ')).toThrow(/empty/);
  });

  it('opens none as no store at all', async () => {
    expect(await openStore('none')).toBeUndefined();
  });
});
