/**
 * One behaviour suite for every run-store backend (local directory, OSS on the emulator): the same
 * calls must give the same answers whichever backend holds the objects.
 */
import { describe, expect, it } from 'vitest';
import type { RunStore } from '../../../lib/store/port.ts';

export function describeRunStore(name: string, open: () => Promise<RunStore>): void {
  describe(`run store (${name})`, () => {
    it('reads back what was put, and nothing for a key never written', async () => {
      const s = await open();
      await s.put('r1/report.json', '{"ok":true}');
      expect(await s.get('r1/report.json')).toBe('{"ok":true}');
      expect(await s.get('r1/absent.json')).toBeUndefined();
      expect(await s.get('nope/report.json')).toBeUndefined();
    });

    it('replaces an object whole on a second put', async () => {
      const s = await open();
      await s.put('r2/report.json', 'a much longer first version of the object');
      await s.put('r2/report.json', 'short');
      expect(await s.get('r2/report.json')).toBe('short');
    });

    it('keeps unicode and newlines byte for byte', async () => {
      const s = await open();
      const body = '{"k":"标签 é"}\n{"v":"\\u0000 x"}\n';
      await s.put('r3/journal/w-00000001.jsonl', body);
      expect(await s.get('r3/journal/w-00000001.jsonl')).toBe(body);
    });

    it('lists the keys under a prefix, sorted, and only those', async () => {
      const s = await open();
      await s.put('ls/journal/b-00000002.jsonl', '2');
      await s.put('ls/journal/a-00000001.jsonl', '1');
      await s.put('ls/report.json', 'r');
      await s.put('lsx/report.json', 'other run');
      expect(await s.list('ls/journal/')).toEqual(['ls/journal/a-00000001.jsonl', 'ls/journal/b-00000002.jsonl']);
      expect(await s.list('ls/')).toEqual([
        'ls/journal/a-00000001.jsonl',
        'ls/journal/b-00000002.jsonl',
        'ls/report.json',
      ]);
      expect(await s.list('missing/')).toEqual([]);
    });

    it('lists more objects than one page holds', async () => {
      const s = await open();
      const keys = Array.from({ length: 1_005 }, (_, i) => `many/journal/w-${String(i).padStart(8, '0')}.jsonl`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => s.put(k, 'x')));
      expect(await s.list('many/journal/')).toEqual(keys);
    });
  });
}
