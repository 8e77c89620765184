/**
 * Runs one seeded world end to end: reset the shared emulator, seed the world, arm the faults, run the
 * engine through the real SDK port (wrapped so the world can change under it: keys added between list
 * and write, resources vanishing or appearing, the deadline firing at a chosen call), continue until
 * the run finishes (bounded hops), read the cloud back and hand everything to the oracle.
 */
import type { Emulator } from '../../../emulator/server.ts';
import { handler } from '../../../functions/tag-cleanup/index.ts';
import { createCloudPort } from '../../../lib/cloud/client.ts';
import type { CloudPort } from '../../../lib/cloud/port.ts';
import type { Policy } from '../../../lib/policy/schema.ts';
import { runCleanup } from '../../../lib/run.ts';
import type { Continuation } from '../../../lib/types.ts';
import {
  type AdvPolicy,
  genHostility,
  genPolicy,
  genWorld,
  type Hostility,
  READ_TIMEOUT_MS,
  TYPES,
  type WorldResource,
} from './generators.ts';
import { type HopReport, judge, refOf, type Verdict, type WorldLog } from './oracle.ts';
import { seeded } from './prng.ts';

/** Hops a run may take before the judge calls it unfinished. */
const MAX_HOPS = 6;
/** A hop slower than this is a hang (worlds are tiny; the slowest fault adds well under a second). */
const HOP_TIMEOUT_MS = 15_000;
/** Longer than the slowest fault's delay. */
const SETTLE_MS = READ_TIMEOUT_MS + 120;

export interface WorldResult extends Verdict {
  seed: number;
  /** Write calls the cloud saw and hops taken: a suite whose worlds never write proves nothing. */
  writeCalls: number;
  hops: number;
  hostility: Hostility;
  /** Every hop's outcomes (for a replayed seed's diagnosis). */
  trace: HopReport[];
  policy: AdvPolicy;
  world: WorldResource[];
}

const isWrite = (action: string) => /^Un[tT]agResources$/.test(action);

/** The real port with the world's hostility in front of it. */
function hostilePort(
  inner: CloudPort,
  hooks: { before(n: number, action: string, params: Record<string, unknown>): void },
): CloudPort {
  let n = 0;
  return {
    call(product, region, action, params, options) {
      n++;
      hooks.before(n, action, params);
      return inner.call(product, region, action, params, options);
    },
  };
}

export function createWorldRunner(emu: Emulator) {
  const port = createCloudPort({
    credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
    endpoint: emu.endpoint,
    tuning: { connectTimeoutMs: 1_000, readTimeoutMs: READ_TIMEOUT_MS },
  });

  return async function runWorld(seed: number): Promise<WorldResult> {
    const rand = seeded(seed);
    const world = genWorld(rand);
    const policy = genPolicy(rand, world);
    const hostility = genHostility(rand);
    await emu.admin.reset({ seed: 'none' });
    emu.admin.upsert(world.map((r) => ({ type: r.type, region: r.region, id: r.id, tags: r.tags })));
    emu.admin.setFaults({ seed, rules: hostility.faults as never });

    const log: WorldLog = {
      late: [],
      vanished: new Set(),
      goneAfterWrite: new Map(),
      appeared: [],
      unsettled: new Set(),
    };
    const byId = new Map(world.map((r) => [r.id, r]));
    let writesSeen = 0;
    let listsSeen = 0;
    const controller = new AbortController();
    // Ids some write call named so far: a resource deleted after one may rightly be reported untagged.
    const named = new Set<string>();
    const mutate = (action: string, params: Record<string, unknown>) => {
      if (isWrite(action)) {
        for (const id of Array.isArray(params.ResourceId) ? params.ResourceId : []) named.add(String(id));
        writesSeen++;
        if (writesSeen !== 1) return;
        const ids = (Array.isArray(params.ResourceId) ? params.ResourceId : []) as string[];
        const target = ids.map((id) => byId.get(id)).find((r) => r !== undefined);
        if (!target) return;
        const ref = refOf(target);
        const current = emu.admin.list({ type: target.type, region: target.region }).find((r) => r.id === target.id);
        if (!current) return;
        if (hostility.vanish) {
          emu.admin.remove([{ type: target.type, region: target.region, id: target.id }]);
          log.vanished.add(ref);
          return;
        }
        // Pairs, not assignments: a key `__proto__` must stay a key here too.
        const pairs = Object.entries(current.tags);
        if (hostility.lateKey) {
          const key = TYPES[target.type].strictKeys ? 'lateKey' : 'late-key';
          pairs.push([key, 'late']);
          log.late.push({ ref, key, value: 'late' });
        }
        const tag = policy.protect?.resourceTag;
        if (hostility.lateProtect && tag && !Object.hasOwn(current.tags, tag.key)) {
          pairs.push([tag.key, tag.value ?? 'late']);
          log.late.push({ ref, key: tag.key, value: tag.value ?? 'late' });
          log.unsettled.add(ref);
        }
        emu.admin.upsert([
          { type: target.type, region: target.region, id: target.id, tags: Object.fromEntries(pairs) },
        ]);
      } else {
        listsSeen++;
        if (listsSeen !== 2) return;
        if (hostility.appear) {
          const like = world[0];
          if (!like) return;
          const fresh: WorldResource = {
            type: like.type,
            region: like.region,
            id: `${TYPES[like.type].prefix}0000`,
            tags: like.tags,
          };
          emu.admin.upsert([fresh]);
          log.appeared.push(fresh);
        }
        if (hostility.disappear) {
          const gone = world[world.length - 1];
          if (gone && !log.vanished.has(refOf(gone))) {
            const current = emu.admin.list({ type: gone.type, region: gone.region }).find((r) => r.id === gone.id);
            if (current && named.has(gone.id)) {
              // Written before it went: the keys already gone from it are the run's removals.
              const removed = Object.keys(gone.tags).filter((k) => !Object.hasOwn(current.tags, k)).length;
              log.goneAfterWrite?.set(refOf(gone), removed);
            }
            emu.admin.remove([{ type: gone.type, region: gone.region, id: gone.id }]);
            log.vanished.add(refOf(gone));
          }
        }
      }
    };
    const cloud = hostilePort(port, {
      before(n, action, params) {
        if (hostility.abortAtCall === n) controller.abort(new Error('deadline'));
        mutate(action, params);
      },
    });

    const hops: HopReport[] = [];
    let continuation: Continuation | undefined;
    let threw: string | undefined;
    let hung = false;
    if (hostility.viaHandler) {
      // The FC entry as FC calls it: bytes in, a report out; it must never throw for any of these worlds.
      process.env.VPC_TAG_CLEANUP_ENDPOINT = emu.endpoint;
      process.env.VPC_TAG_CLEANUP_FC_ENDPOINT = emu.url;
      process.env.VPC_TAG_CLEANUP_STORE = 'none';
      process.env.VPC_TAG_CLEANUP_LIMITS = JSON.stringify({
        retryBaseMs: 2,
        retryMaxMs: 10,
        maxRetries: 3,
        connectTimeoutMs: 1_000,
        readTimeoutMs: READ_TIMEOUT_MS,
        ...hostility.limits,
      });
      process.env.VPC_TAG_CLEANUP_QUOTA_SCALE = '1000';
      const context = {
        requestId: `adv-${seed}`,
        credentials: emu.credentials.issueSession(),
        function: { name: 'vpc-tag-cleanup', handler: 'index.handler', memory: 512, timeout: 60 },
        region: 'cn-hangzhou',
        accountId: emu.accountId,
        retryCount: 0,
      };
      try {
        const answer = (await handler(
          Buffer.from(JSON.stringify({ policy, runId: `adv-${seed}` })),
          context,
        )) as unknown;
        hops.push(answer as HopReport);
      } catch (e) {
        threw = e instanceof Error ? `handler ${e.name}: ${e.message}` : String(e);
      }
    }
    for (let hop = 0; hop < MAX_HOPS && !hostility.viaHandler; hop++) {
      const signal = hop === 0 && hostility.abortAtCall !== undefined ? controller.signal : undefined;
      const running = runCleanup(
        {
          policy: policy as unknown as Policy,
          runId: `adv-${seed}`,
          ...(signal ? { signal } : {}),
          ...(continuation ? { continuation } : {}),
        },
        {
          cloud,
          tuning: { retryBaseMs: 2, retryMaxMs: 10, maxRetries: 3, ...hostility.limits },
          quotaScale: 1_000,
          retainOutcomes: true,
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => resolve('hung'), HOP_TIMEOUT_MS);
      });
      try {
        const result = await Promise.race([running, timeout]);
        if (result === 'hung') {
          hung = true;
          break;
        }
        hops.push({ ...(result.report as unknown as HopReport), resources: result.full as HopReport['resources'] });
        continuation = result.report.continuation;
        if (!continuation) break;
      } catch (e) {
        threw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        break;
      } finally {
        clearTimeout(timer);
      }
    }
    // A call the client gave up on (latency past the read timeout) still lands in the cloud later: let it,
    // so the end state is the cloud's settled one and nothing leaks into the next world after its reset.
    if (hostility.faults.some((f) => ['latency', 'slow'].includes((f as { kind: string }).kind)))
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    emu.admin.setFaults({ rules: [] });
    const final = new Map(emu.admin.list({}).map((r) => [refOf(r), r.tags]));
    const stats = emu.admin.stats() as { byAction?: Record<string, Record<string, number>> };
    let writeCalls = 0;
    for (const [action, outcomes] of Object.entries(stats.byAction ?? {}))
      if (/Un[tT]agResources$/.test(action)) writeCalls += Object.values(outcomes).reduce((a, b) => a + b, 0);
    const verdict = judge({ policy, world, log, hops, final, writeCalls, ...(threw ? { threw } : {}), hung });
    return { seed, policy, world, hostility, writeCalls, hops: hops.length, trace: hops, ...verdict };
  };
}
