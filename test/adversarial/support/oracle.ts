/**
 * The adversarial suite's oracle, written apart from the engine: it reads the policy contract
 * (DESIGN.md "the cleanup policy", README) and decides on its own what each resource should lose. It
 * imports nothing from lib/ (not select.ts, not plan.ts, not the policy compiler); patterns run on re2js
 * directly, the engine's documented regex engine. `judge` compares the engine's reports and the cloud's
 * end state with that, and with what the hostile world did during the run.
 */
import { RE2JS } from 're2js';
import type { AdvPolicy, WorldResource } from './generators.ts';

const RESERVED = ['aliyun', 'acs:'];
const reserved = (key: string) => RESERVED.some((p) => key.toLowerCase().startsWith(p));

export const refOf = (r: { type: string; region: string; id: string }) => `${r.type}|${r.region}|${r.id}`;

const carries = (tags: Record<string, string>, f: { key: string; value?: string }) =>
  Object.hasOwn(tags, f.key) && (f.value === undefined || tags[f.key] === f.value);

/** The README's caps and accepted syntax: a policy past them is refused whole (only these two are generated). */
export function refusedByContract(policy: AdvPolicy): boolean {
  const remove = policy.remove;
  if ('keys' in remove && (remove.keys?.length ?? 0) > 100) return true;
  for (const p of 'keyPatterns' in remove ? (remove.keyPatterns ?? []) : []) {
    try {
      RE2JS.compile(p);
    } catch {
      return true;
    }
  }
  return false;
}

/** The keys `policy` removes from `r` (empty: none), by the contract alone. */
export function expectedRemovals(policy: AdvPolicy, r: WorldResource): string[] {
  if (refusedByContract(policy)) return [];
  if (!policy.regions.includes(r.region) || !(policy.resourceTypes as string[]).includes(r.type)) return [];
  if (policy.match?.resourceIds && !policy.match.resourceIds.includes(r.id)) return [];
  if (policy.match?.tags && !policy.match.tags.every((f) => carries(r.tags, f))) return [];
  if (policy.protect?.resourceTag && carries(r.tags, policy.protect.resourceTag)) return [];
  const remove = policy.remove;
  const patterns = 'keyPatterns' in remove ? (remove.keyPatterns ?? []).map((p) => RE2JS.compile(p)) : [];
  const exact = new Set('keys' in remove ? (remove.keys ?? []) : []);
  const protectedKeys = new Set(policy.protect?.keys ?? []);
  const out: string[] = [];
  for (const key of Object.keys(r.tags)) {
    // "" names no tag the untag APIs can remove (issue 12 defect 11); reserved keys are the cloud's.
    if (key === '' || reserved(key) || protectedKeys.has(key)) continue;
    if ('all' in remove || exact.has(key) || patterns.some((p) => p.test(key))) out.push(key);
  }
  return out.sort();
}

/** What the hostile world did during the run (the judge excuses exactly these). */
export interface WorldLog {
  /** Keys added after listing: they must survive. */
  late: Array<{ ref: string; key: string; value: string }>;
  /** Resources deleted during the run. */
  vanished: Set<string>;
  /** Of those, the ones a write call had named before they went, with how many of their keys were gone then. */
  goneAfterWrite?: Map<string, number>;
  /** Resources created during the run (judged for lost tags, not for completeness). */
  appeared: WorldResource[];
  /** Resources whose protection changed during the run (not judged for completeness). */
  unsettled: Set<string>;
}

export interface Outcome {
  region: string;
  type: string;
  id: string;
  keys: string[];
  status: string;
  reason?: string;
  code?: string;
  /** Keys a resource lost although its outcome is not `untagged` (part of a split resource ran). */
  removed?: string[];
}

export interface HopReport {
  ok: boolean;
  dryRun: boolean;
  totals: { keysRemoved: number; untagged: number };
  resources: Outcome[];
  errors: unknown[];
  continuation?: unknown;
  error?: { code: string };
}

export interface Verdict {
  violations: string[];
}

/** Every way the run went wrong; empty when it was right. */
export function judge(input: {
  policy: AdvPolicy;
  world: WorldResource[];
  log: WorldLog;
  hops: HopReport[];
  final: Map<string, Record<string, string>>;
  writeCalls: number;
  threw?: string;
  hung?: boolean;
}): Verdict {
  const v: string[] = [];
  const { policy, world, log, hops, final } = input;
  if (input.threw) v.push(`threw: ${input.threw}`);
  if (input.hung) v.push('hung: a hop did not answer in time');
  const last = hops[hops.length - 1];
  if (!input.threw && !input.hung && last?.continuation)
    v.push('unfinished: still a continuation after the hop budget');

  const lateBy = new Map<string, Map<string, string>>();
  for (const l of log.late) {
    const m = lateBy.get(l.ref) ?? new Map<string, string>();
    m.set(l.key, l.value);
    lateBy.set(l.ref, m);
  }
  // The latest outcome per resource across hops (a later hop finishes what an earlier one deferred), and
  // every key any hop said went (`untagged` keys, or `removed` of a resource cut part-way).
  const outcome = new Map<string, Outcome>();
  const claimed = new Map<string, Set<string>>();
  for (const hop of hops)
    for (const o of hop.resources ?? []) {
      const ref = refOf(o);
      outcome.set(ref, o);
      const set = claimed.get(ref) ?? new Set<string>();
      for (const k of o.status === 'untagged' ? o.keys : (o.removed ?? [])) set.add(k);
      claimed.set(ref, set);
    }
  const invalid = hops.some((h) => h.error?.code === 'INVALID_POLICY' || h.error?.code === 'INVALID_PAYLOAD');
  if (refusedByContract(policy) && !invalid) v.push('a policy past the documented caps or RE2 syntax was not refused');
  if (!refusedByContract(policy) && invalid) v.push('a policy within the contract was refused');
  const limited = hops.some((h) => h.error?.code === 'LIMIT_EXCEEDED');

  const judged = [...world.map((r) => ({ r, appeared: false })), ...log.appeared.map((r) => ({ r, appeared: true }))];
  let removedPairs = 0;
  let wouldChange = 0;
  for (const { r, appeared } of judged) {
    const ref = refOf(r);
    if (log.vanished.has(ref)) {
      const o = outcome.get(ref);
      const before = log.goneAfterWrite?.get(ref);
      if (before !== undefined) {
        // Written, then deleted: what its writes removed counts; its report is judged by the count below.
        removedPairs += before;
        continue;
      }
      if (o?.status === 'untagged' && !appeared) {
        // Untagged before it vanished is possible only if the write reached it; the world deletes before writes.
        v.push(`${ref}: reported untagged but vanished before its write`);
      }
      continue;
    }
    const end = final.get(ref);
    if (!end) {
      v.push(`${ref}: gone from the cloud although nothing deleted it`);
      continue;
    }
    const goes = new Set(expectedRemovals(policy, r));
    if (goes.size > 0 && !appeared) wouldChange++;
    // 1. No lost tag: a key the policy keeps is still there with its value; a late key survives.
    for (const [k, val] of Object.entries(r.tags)) {
      const gone = !Object.hasOwn(end, k);
      if (gone) removedPairs++;
      if (!goes.has(k) && (gone || end[k] !== val)) v.push(`${ref}: lost tag ${JSON.stringify(k)} the policy keeps`);
    }
    // A key added after listing may go only if the policy removes it from the resource as it now is
    // (a later listing sees it); the protect tag itself, or a key no rule names, must survive.
    const late = lateBy.get(ref);
    if (late) {
      const now = { ...r, tags: Object.fromEntries([...Object.entries(r.tags), ...late]) };
      const lateGoes = new Set(expectedRemovals(policy, now));
      const said = claimed.get(ref) ?? new Set<string>();
      for (const [k, val] of late) {
        if (!Object.hasOwn(end, k)) {
          // The one residual the API leaves (README limits): a call naming a key another of its ids removes
          // also takes it from an already-selected resource that got it after listing, if the policy removes
          // that key by name there too; no listing saw it, so no report can say so.
          const residual = goes.size > 0 && lateGoes.has(k) && !said.has(k);
          if (!residual) removedPairs++;
          if (!said.has(k) && !residual)
            v.push(`${ref}: ${JSON.stringify(k)} added after listing was removed, no report says so`);
        }
        if (end[k] !== val && !lateGoes.has(k)) v.push(`${ref}: lost tag ${JSON.stringify(k)} added after listing`);
      }
    }
    // 2. The report is true: what it says went is gone, what it says stayed is there.
    const o = outcome.get(ref);
    const removedHere = Object.keys(r.tags).filter((k) => !Object.hasOwn(end, k));
    const said = claimed.get(ref) ?? new Set<string>();
    for (const k of said)
      if (Object.hasOwn(end, k)) v.push(`${ref}: reported ${JSON.stringify(k)} removed, still there`);
    // An honest "unknown" (answers unclear, the read-back shows no tag: stripped or vanished) claims neither.
    const unknown = o?.status === 'failed' && o.code === 'OUTCOME_UNKNOWN';
    const open = (k: string) => unknown && o.keys.includes(k) && !said.has(k);
    for (const k of removedHere) {
      if (open(k)) removedPairs--;
      else if (!said.has(k)) v.push(`${ref}: ${JSON.stringify(k)} removed, no report says so`);
    }
    if (o && o.status !== 'untagged' && !unknown) {
      for (const k of o.keys)
        if (!Object.hasOwn(end, k))
          v.push(`${ref}: reported ${o.status} (${o.reason ?? ''}) but ${JSON.stringify(k)} is gone`);
    }
    // 3. Complete: a run that says ok removed everything the policy removes.
    const settled = !appeared && !log.unsettled.has(ref);
    if (settled && last?.ok && !last.continuation && !policy.dryRun && !limited && !invalid) {
      for (const k of goes)
        if (Object.hasOwn(end, k)) v.push(`${ref}: ok run left ${JSON.stringify(k)} the policy removes`);
    }
  }
  // 4. Dry runs, refused policies and the resource limit write nothing.
  if ((policy.dryRun || invalid || limited) && input.writeCalls > 0)
    v.push(`${input.writeCalls} write calls in a run that must write nothing`);
  const max = policy.limits?.maxResources;
  const calm =
    log.late.length === 0 && log.vanished.size === 0 && log.appeared.length === 0 && log.unsettled.size === 0;
  if (max !== undefined && calm && hops.length === 1 && !invalid && !policy.dryRun) {
    if (wouldChange > max && !limited) v.push(`${wouldChange} resources change, over maxResources ${max}, not refused`);
    if (wouldChange <= max && limited) v.push(`LIMIT_EXCEEDED with ${wouldChange} <= maxResources ${max}`);
  }
  // 5. The counts agree with the cloud.
  const counted = hops.reduce((n, h) => n + (h.totals?.keysRemoved ?? 0), 0);
  if (!input.threw && !input.hung && counted !== removedPairs)
    v.push(`reports count ${counted} keys removed, the cloud lost ${removedPairs}`);
  return { violations: v };
}
