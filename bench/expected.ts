/**
 * What a policy should do to a set of resources, computed from DESIGN.md's policy semantics alone,
 * without lib/select.ts: the reliability suite and the benchmarks check the engine against this, so a
 * mistake in the engine's selection cannot agree with itself here.
 */
import type { AdminResource } from './admin.ts';

/** The parts of a policy (version 1) that decide which tags go. */
export interface PolicyShape {
  regions: string[];
  resourceTypes: string[];
  match?: { resourceIds?: string[]; tags?: Array<{ key: string; value?: string }> };
  remove: { all: true } | { keys?: string[]; keyPatterns?: string[] };
  protect?: { keys?: string[]; resourceTag?: { key: string; value?: string } };
}

const reserved = (key: string): boolean => {
  const k = key.toLowerCase();
  return k.startsWith('aliyun') || k.startsWith('acs:');
};

const carries = (tags: Record<string, string>, t: { key: string; value?: string }): boolean =>
  Object.hasOwn(tags, t.key) && (t.value === undefined || tags[t.key] === t.value);

/** The keys the policy removes from one resource (empty when it is left alone). */
export function keysToRemove(policy: PolicyShape, r: AdminResource): string[] {
  if (!policy.regions.includes(r.region) || !policy.resourceTypes.includes(r.type)) return [];
  const m = policy.match;
  if (m?.resourceIds && !m.resourceIds.includes(r.id)) return [];
  if (m?.tags && !m.tags.every((t) => carries(r.tags, t))) return [];
  const rt = policy.protect?.resourceTag;
  if (rt && carries(r.tags, rt)) return [];
  const protectedKeys = new Set(policy.protect?.keys ?? []);
  const rm = policy.remove;
  const exact = 'all' in rm ? undefined : new Set(rm.keys ?? []);
  const patterns = 'all' in rm ? [] : (rm.keyPatterns ?? []).map((p) => new RegExp(p));
  return Object.keys(r.tags)
    .filter((k) => !reserved(k) && !protectedKeys.has(k))
    .filter((k) => exact === undefined || exact.has(k) || patterns.some((re) => re.test(k)))
    .sort();
}

export interface Expectation {
  /** `type|region|id` -> keys that must go. Only resources with something to remove. */
  removals: Map<string, string[]>;
  /** Resources that change, per `region|type`. */
  changedPerUnit: Map<string, number>;
  keysRemoved: number;
}

export const resourceKey = (r: { type: string; region: string; id: string }): string => `${r.type}|${r.region}|${r.id}`;

export function expectationFor(policy: PolicyShape, resources: Iterable<AdminResource>): Expectation {
  const removals = new Map<string, string[]>();
  const changedPerUnit = new Map<string, number>();
  let keysRemoved = 0;
  for (const r of resources) {
    const keys = keysToRemove(policy, r);
    if (keys.length === 0) continue;
    removals.set(resourceKey(r), keys);
    const unit = `${r.region}|${r.type}`;
    changedPerUnit.set(unit, (changedPerUnit.get(unit) ?? 0) + 1);
    keysRemoved += keys.length;
  }
  return { removals, changedPerUnit, keysRemoved };
}

/**
 * The lower bound on untag calls: sum over (region, type) of ceil(changed / 20). It ignores the
 * 20-keys-per-call limit, so it is reachable only when each group of 20 resources shares <= 20 keys.
 */
export function untagLowerBound(exp: Expectation, maxIdsPerCall = 20): number {
  let n = 0;
  for (const changed of exp.changedPerUnit.values()) n += Math.ceil(changed / maxIdsPerCall);
  return n;
}

export interface StateCheck {
  /** Tags that should have gone and are still there: `type|region|id key`. */
  notRemoved: string[];
  /** Tags that should have stayed and are gone or changed. */
  wronglyTouched: string[];
  /** Resources present after that were not there before (should never happen). */
  unexpected: string[];
}

/**
 * Compares the emulator's state after a run with the state before: every tag that should go is gone,
 * and every other tag is there with its value. `gone` lists resources deleted during the run (their
 * tags are not checked).
 */
export function checkState(
  policy: PolicyShape,
  before: AdminResource[],
  after: AdminResource[],
  gone: ReadonlySet<string> = new Set(),
): StateCheck {
  const afterByKey = new Map(after.map((r) => [resourceKey(r), r]));
  const out: StateCheck = { notRemoved: [], wronglyTouched: [], unexpected: [] };
  const beforeKeys = new Set<string>();
  for (const r of before) {
    const k = resourceKey(r);
    beforeKeys.add(k);
    if (gone.has(k)) continue;
    const now = afterByKey.get(k);
    if (!now) {
      out.wronglyTouched.push(`${k} (resource vanished)`);
      continue;
    }
    const remove = new Set(keysToRemove(policy, r));
    for (const [key, value] of Object.entries(r.tags)) {
      const present = Object.hasOwn(now.tags, key);
      if (remove.has(key)) {
        if (present) out.notRemoved.push(`${k} ${key}`);
      } else if (!present || now.tags[key] !== value) {
        out.wronglyTouched.push(`${k} ${key}`);
      }
    }
    for (const key of Object.keys(now.tags)) {
      if (!Object.hasOwn(r.tags, key)) out.wronglyTouched.push(`${k} ${key} (added)`);
    }
  }
  for (const k of afterByKey.keys()) if (!beforeKeys.has(k)) out.unexpected.push(k);
  return out;
}
