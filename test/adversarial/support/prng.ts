/** A seeded PRNG (mulberry32) and the draws the generators need: the same seed always builds the same world. */
export interface Rand {
  (): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  some<T>(items: readonly T[], max: number): T[];
}

export function seeded(seed: number): Rand {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rand;
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  next.chance = (p) => next() < p;
  next.pick = (items) => items[Math.floor(next() * items.length)] as (typeof items)[number];
  next.some = (items, max) => {
    const pool = [...items];
    const out: (typeof items)[number][] = [];
    const n = next.int(0, Math.min(max, pool.length));
    for (let i = 0; i < n; i++) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0] as (typeof items)[number]);
    return out;
  };
  return next;
}
