/**
 * The reliability harness: a real emulator on port 0, the real SDK-backed port, a seeded world loaded
 * through the admin API, and one check for every case: the emulator's final state against the state
 * expected from the seed data (bench/expected.ts, independent of lib/select.ts), and the report's
 * counts against what actually changed in the emulator.
 */
import { type AdminResource, EmulatorAdmin, type FaultRule } from '../../../bench/admin.ts';
import { emulatorPort } from '../../../bench/engine.ts';
import { checkState, expectationFor, resourceKey, type StateCheck } from '../../../bench/expected.ts';
import { type Emulator, startEmulator } from '../../../emulator/server.ts';
import type { Tuning } from '../../../lib/catalog.ts';
import type { Policy } from '../../../lib/policy/schema.ts';
import { type RunDeps, type RunInput, runCleanup } from '../../../lib/run.ts';
import type { Report } from '../../../lib/types.ts';
import type { World } from './world.ts';

/** Fast retries, many of them: faults here are transient, and a case must end with every tag right. */
export const FAULT_LIMITS: Partial<Tuning> = {
  maxRetries: 10,
  retryBaseMs: 2,
  retryMaxMs: 25,
  connectTimeoutMs: 2_000,
  readTimeoutMs: 2_000,
};

/** The engine's quota scale when the emulator enforces none: it should not pace itself either. */
export const UNPACED = 1_000_000;

export interface Reliability {
  emu: Emulator;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

export async function startReliability(): Promise<Reliability> {
  const emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
  return { emu, admin: new EmulatorAdmin(emu.url), close: () => emu.close() };
}

/** Empties the emulator, loads the world, sets the faults (seeded by the world's seed). */
export async function loadWorld(h: Reliability, world: World, faults: FaultRule[] = []): Promise<void> {
  await h.admin.reset();
  await h.admin.setQuotas({ enabled: false });
  if (world.resources.length > 0) await h.admin.seed(world.resources);
  await h.admin.setFaults(faults, world.seed);
}

export async function stateOf(h: Reliability, world: World): Promise<AdminResource[]> {
  const out: AdminResource[] = [];
  for (const type of world.policy.resourceTypes) out.push(...(await h.admin.resources({ type })));
  return out;
}

export function runWorld(
  h: Reliability,
  world: World,
  input: Partial<Omit<RunInput, 'policy' | 'runId'>> & { runId?: string } = {},
  deps: Partial<RunDeps> = {},
) {
  return runCleanup(
    { policy: world.policy as unknown as Policy, runId: input.runId ?? `rel-${world.seed}`, ...input },
    { cloud: emulatorPort(h.emu.endpoint, FAULT_LIMITS), tuning: FAULT_LIMITS, quotaScale: UNPACED, ...deps },
  );
}

export interface Verdict {
  check: StateCheck;
  /** Resources whose tags changed, and tags removed, by comparing the emulator before and after. */
  changed: number;
  removed: number;
  expectedChanged: number;
  expectedRemoved: number;
}

/** Compares the state after a run with the seed data; `gone` are resources deleted mid-run. */
export function verdict(world: World, after: AdminResource[], gone: ReadonlySet<string> = new Set()): Verdict {
  const check = checkState(world.policy, world.resources, after, gone);
  const afterByKey = new Map(after.map((r) => [resourceKey(r), r]));
  let changed = 0;
  let removed = 0;
  for (const r of world.resources) {
    const now = afterByKey.get(resourceKey(r));
    if (!now) continue;
    const lost = Object.keys(r.tags).filter((k) => !Object.hasOwn(now.tags, k)).length;
    if (lost > 0) changed++;
    removed += lost;
  }
  const exp = expectationFor(
    world.policy,
    world.resources.filter((r) => !gone.has(resourceKey(r))),
  );
  return { check, changed, removed, expectedChanged: exp.removals.size, expectedRemoved: exp.keysRemoved };
}

/** A compact description of what went wrong, for the assertion message (with the seed to reproduce). */
export function describeFailure(world: World, v: Verdict, report?: Report): string {
  return JSON.stringify({
    seed: world.seed,
    policy: world.policy,
    notRemoved: v.check.notRemoved.slice(0, 5),
    wronglyTouched: v.check.wronglyTouched.slice(0, 5),
    totals: report?.totals,
    errors: report?.errors.slice(0, 3),
  });
}
