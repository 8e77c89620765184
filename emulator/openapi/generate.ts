/**
 * Bulk generator (admin API, benchmarks): N resources per (type, region), tags drawn from a key pool with a
 * seeded PRNG, so the same spec yields the same resources. Ids are the type's prefix and a zero-padded
 * counter (unique across regions, sortable, so the store appends without reordering).
 */
import type { GenerateSpec } from '../contracts.ts';
import { prng } from '../prng.ts';
import type { PackedTags, Store } from './store.ts';
import { idPrefixOf } from './tables.ts';

const VALUES_PER_KEY = 8;
export const ID_DIGITS = 8;

/**
 * Most resources one generate request makes (count x types x regions): the scale bench's 1,000,000 fit
 * in two requests; 1e8 would block the event loop for a minute and 2e7 exhausts a 256 MB heap.
 */
export const MAX_GENERATED_PER_REQUEST = 1_000_000;
/** Largest key pool (`keyCount` or `keys`): a resource carries at most 20 tags, so a bigger pool adds nothing. */
export const MAX_GENERATE_KEY_POOL = 10_000;

/** A generate spec that cannot run; the admin API answers it 400. */
export class GenerateSpecError extends Error {
  override readonly name = 'GenerateSpecError';
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCount = (v: unknown, max: number): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** Checks a generate spec from the outside (admin body or in-process call); throws `GenerateSpecError`. */
export function checkGenerateSpec(value: unknown): GenerateSpec {
  const spec = value as Partial<GenerateSpec> | null;
  if (!spec || typeof spec !== 'object' || !isStringArray(spec.types) || !isStringArray(spec.regions))
    throw new GenerateSpecError('generate needs types[] and regions[] (strings) and count');
  const cells = Math.max(1, spec.types.length * spec.regions.length);
  if (!isCount(spec.count, MAX_GENERATED_PER_REQUEST) || spec.count * cells > MAX_GENERATED_PER_REQUEST)
    throw new GenerateSpecError(
      `generate.count must be an integer >= 0 with count x types x regions <= ${MAX_GENERATED_PER_REQUEST} (got ${String(spec.count)} x ${cells})`,
    );
  if (spec.keyCount !== undefined && !isCount(spec.keyCount, MAX_GENERATE_KEY_POOL))
    throw new GenerateSpecError(`generate.keyCount must be an integer from 0 to ${MAX_GENERATE_KEY_POOL}`);
  if (spec.keys !== undefined && (!isStringArray(spec.keys) || spec.keys.length > MAX_GENERATE_KEY_POOL))
    throw new GenerateSpecError(`generate.keys must be at most ${MAX_GENERATE_KEY_POOL} strings`);
  const range = spec.tagsPerResource;
  if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || !range.every((n) => isCount(n, 20))))
    throw new GenerateSpecError('generate.tagsPerResource must be [min, max], integers from 0 to 20');
  return spec as GenerateSpec;
}

/** Counters per type survive between calls so a second generate adds rather than overwrites. */
export type Sequences = Map<string, number>;

export function generate(store: Store, spec: GenerateSpec, seq: Sequences): number {
  const rand = prng(spec.seed ?? 1);
  const fixed = Object.entries(spec.fixedTags ?? {});
  const fixedKeys = new Set(fixed.map(([k]) => k));
  const poolKeys = (
    spec.keys ?? Array.from({ length: spec.keyCount ?? 10 }, (_, i) => `${spec.keyPrefix ?? 'key-'}${i}`)
  )
    .filter((k) => !fixedKeys.has(k))
    .sort();
  const keyIds = poolKeys.map((k) => store.strings.id(k));
  const valueIds = Array.from({ length: VALUES_PER_KEY }, (_, i) => store.strings.id(`value-${i}`));
  const fixedPairs = fixed.map(([k, v]) => [k, store.strings.id(k), store.strings.id(v)] as const);
  const [lo, hi] = spec.tagsPerResource ?? [1, 5];
  const min = Math.max(0, Math.min(lo, poolKeys.length));
  const max = Math.max(min, Math.min(hi, poolKeys.length));
  // Partial Fisher-Yates over a reusable permutation (undone after each draw): k distinct picks in O(k).
  const perm = Int32Array.from({ length: poolKeys.length }, (_, i) => i);
  const picks = new Int32Array(max);
  const swaps = new Int32Array(max);
  let made = 0;

  for (const type of spec.types) {
    const prefix = idPrefixOf(type);
    let n = seq.get(type) ?? 0;
    for (const region of spec.regions) {
      const table = store.tableFor(type, region);
      for (let i = 0; i < spec.count; i++) {
        n++;
        const id = `${prefix}${String(n).padStart(ID_DIGITS, '0')}`;
        const k = min + Math.floor(rand() * (max - min + 1));
        for (let j = 0; j < k; j++) {
          const r = j + Math.floor(rand() * (perm.length - j));
          swaps[j] = r;
          const t = perm[j]!;
          perm[j] = perm[r]!;
          perm[r] = t;
          // Insertion into the sorted picks (k <= 20): the pool is sorted, so sorted indices = sorted keys.
          let at = j;
          while (at > 0 && picks[at - 1]! > perm[j]!) {
            picks[at] = picks[at - 1]!;
            at--;
          }
          picks[at] = perm[j]!;
        }
        for (let j = k - 1; j >= 0; j--) {
          const r = swaps[j]!;
          const t = perm[j]!;
          perm[j] = perm[r]!;
          perm[r] = t;
        }
        let tags: PackedTags = new Array(2 * k);
        for (let j = 0; j < k; j++) {
          tags[2 * j] = keyIds[picks[j]!]!;
          tags[2 * j + 1] = valueIds[Math.floor(rand() * VALUES_PER_KEY)]!;
        }
        if (fixedPairs.length > 0) {
          const pairs: Array<[string, number, number]> = [];
          for (let j = 0; j < k; j++) pairs.push([poolKeys[picks[j]!]!, tags[2 * j]!, tags[2 * j + 1]!]);
          for (const f of fixedPairs) pairs.push([f[0], f[1], f[2]]);
          pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
          tags = pairs.flatMap(([, kk, vv]) => [kk, vv]);
        }
        const isNew = !table.has(id);
        table.set(id, tags);
        if (isNew) made++;
      }
    }
    seq.set(type, n);
  }
  return made;
}
