/**
 * The local-directory backend of the run store (the CLI's default `./.vpc-tag-cleanup/runs`). `put`
 * writes a temporary file, fsyncs it, renames it into place and fsyncs the folder: after a crash an
 * object is whole or absent, and once `put` resolves it survives a power cut too.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { StoreError } from './errors.ts';
import type { RunStore } from './port.ts';

const TMP_MARK = '.tmp-';

export function createLocalStore(dir: string): RunStore {
  const root = resolve(dir);
  let tmpSeq = 0;
  const pathOf = (key: string): string => {
    const p = resolve(root, ...key.split('/'));
    // A key never leaves the store's folder, whatever it holds.
    if (p !== root && !p.startsWith(root + sep))
      throw new StoreError(dir, `key ${key}`, new Error('outside the store'));
    return p;
  };
  const fsyncDir = async (p: string) => {
    const h = await open(p, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  };
  return {
    location: dir,
    async put(key, body) {
      const target = pathOf(key);
      const folder = dirname(target);
      // Random part: two stores in one process (concurrent invocations of a warm instance) share the pid and a seq.
      const tmp = join(folder, `${TMP_MARK}${process.pid}-${++tmpSeq}-${randomBytes(4).toString('hex')}`);
      try {
        await mkdir(folder, { recursive: true });
        const h = await open(tmp, 'w');
        try {
          await h.writeFile(body, 'utf8');
          await h.sync();
        } finally {
          await h.close();
        }
        await rename(tmp, target);
        await fsyncDir(folder);
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw new StoreError(dir, `writing ${key}`, e);
      }
    },
    async get(key) {
      try {
        return await readFile(pathOf(key), 'utf8');
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw new StoreError(dir, `reading ${key}`, e);
      }
    },
    async list(prefix) {
      // Walk only the deepest folder the prefix names, then filter by the whole prefix.
      const cut = prefix.lastIndexOf('/');
      const base = cut >= 0 ? pathOf(prefix.slice(0, cut)) : root;
      const out: string[] = [];
      const walk = async (folder: string): Promise<void> => {
        let entries: Dirent[];
        try {
          entries = await readdir(folder, { withFileTypes: true });
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR') return;
          throw new StoreError(dir, `listing ${prefix}`, e);
        }
        for (const entry of entries) {
          if (entry.name.startsWith(TMP_MARK)) continue;
          const full = join(folder, entry.name);
          if (entry.isDirectory()) await walk(full);
          else {
            const key = relative(root, full).split(sep).join('/');
            if (key.startsWith(prefix)) out.push(key);
          }
        }
      };
      await walk(base);
      return out.sort();
    },
  };
}
