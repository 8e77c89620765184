import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  continuationTaskId,
  continueRun,
  fanOut,
  type Invoker,
  type SelfPayload,
  shardTaskId,
  shouldFanOut,
} from '../../lib/fanout.ts';
import { decodeInvocation, isSafeId, type RunRequest } from '../../lib/trigger/index.ts';
import type { Continuation } from '../../lib/types.ts';

const policy = {
  name: 'p',
  regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
  resourceTypes: ['IPAMPOOL' as const],
  remove: { keys: ['tmp'] },
  dryRun: false,
};
const run = (extra: Partial<RunRequest> = {}): RunRequest => ({ policy, runId: 'run-1', source: 'manual', ...extra });

/** The port recorded: what a real invoker would have sent, answered by a tiny in-memory FC with task dedup. */
function recordingInvoker(): Invoker & { sent: Array<{ name: string; payload: SelfPayload; taskId: string }> } {
  const seen = new Set<string>();
  const sent: Array<{ name: string; payload: SelfPayload; taskId: string }> = [];
  return {
    sent,
    async invokeAsync(name, payload, taskId) {
      if (taskId === undefined) throw new Error('fan-out and continuation always name a task id');
      if (seen.has(taskId)) return { status: 'duplicate', taskId };
      seen.add(taskId);
      sent.push({ name, payload: payload as SelfPayload, taskId });
      return { status: 'started', taskId, requestId: `req-${sent.length}` };
    },
    async invokeSync() {
      throw new Error('fan-out and continuation never invoke synchronously');
    },
  };
}

describe('shouldFanOut', () => {
  it('fans out a multi-region policy when the policy or the environment asks', () => {
    expect(shouldFanOut(run({ policy: { ...policy, fanOut: true } }), {})).toBe(true);
    expect(shouldFanOut(run(), { VPC_TAG_CLEANUP_FANOUT: '1' })).toBe(true);
    expect(shouldFanOut(run(), {})).toBe(false);
  });

  it('never fans out a shard, a continuation, a narrowed run or a single region', () => {
    const env = { VPC_TAG_CLEANUP_FANOUT: '1' };
    expect(shouldFanOut(run({ shard: { regions: ['cn-hangzhou'] } }), env)).toBe(false);
    expect(shouldFanOut(run({ continuation: { version: 1, runId: 'run-1', done: [], hop: 1 } }), env)).toBe(false);
    expect(shouldFanOut(run({ narrowTo: [{ region: 'cn-hangzhou', type: 'IPAMPOOL', id: 'ipam-pool-1' }] }), env)).toBe(
      false,
    );
    expect(shouldFanOut(run({ policy: { ...policy, regions: ['cn-hangzhou'] } }), env)).toBe(false);
  });
});

describe('fanOut and continueRun', () => {
  it('starts one shard per region with a payload the function decodes back into that shard', async () => {
    const invoker = recordingInvoker();
    const starts = await fanOut(run(), invoker, 'vpc-tag-cleanup');
    expect(starts.map((s) => s.outcome.status)).toEqual(['started', 'started', 'started']);
    for (const { payload, taskId, name } of invoker.sent) {
      expect(name).toBe('vpc-tag-cleanup');
      expect(taskId).toBe(shardTaskId('run-1', payload.shard!.regions[0]!));
      const decoded = decodeInvocation(Buffer.from(JSON.stringify(payload)), {}, new Date());
      expect(decoded).toMatchObject({ kind: 'run', run: { runId: 'run-1', shard: payload.shard } });
      expect(shouldFanOut((decoded as { run: RunRequest }).run, { VPC_TAG_CLEANUP_FANOUT: '1' })).toBe(false);
    }
  });

  it('asks for the same task ids when the same run is fanned out again, so nothing starts twice', async () => {
    const invoker = recordingInvoker();
    await fanOut(run(), invoker, 'f');
    const again = await fanOut(run(), invoker, 'f');
    expect(again.map((s) => s.outcome.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(invoker.sent).toHaveLength(3);
  });

  it('hands a continuation on with the shard, under a task id per hop', async () => {
    const invoker = recordingInvoker();
    const continuation: Continuation = { version: 1, runId: 'run-1', done: [], hop: 2 };
    const outcome = await continueRun(run({ shard: { regions: ['cn-beijing'] } }), continuation, invoker, 'f');
    expect(outcome).toMatchObject({ status: 'started', taskId: 'run-1-cn-beijing-hop-2' });
    expect(invoker.sent[0]!.payload).toEqual({
      policy,
      runId: 'run-1',
      shard: { regions: ['cn-beijing'] },
      continuation,
    });
    expect(decodeInvocation(Buffer.from(JSON.stringify(invoker.sent[0]!.payload)), {}, new Date()).kind).toBe('run');
    expect((await continueRun(run({ shard: { regions: ['cn-beijing'] } }), continuation, invoker, 'f')).status).toBe(
      'duplicate',
    );
  });
});

describe('a narrowed run’s self-invocations', () => {
  const narrowTo = [
    { region: 'cn-shanghai', type: 'IPAMPOOL' as const, id: 'ipam-pool-s1' },
    { region: 'cn-beijing', type: 'IPAMPOOL' as const, id: 'ipam-pool-b1' },
  ];

  it('every continuation hop carries narrowTo, and decodes back to the same resources', async () => {
    const invoker = recordingInvoker();
    const continuation: Continuation = { version: 1, runId: 'run-1', done: [], hop: 1 };
    await continueRun(run({ narrowTo }), continuation, invoker, 'f');
    expect(invoker.sent[0]!.payload).toEqual({ policy, runId: 'run-1', continuation, narrowTo });
    const decoded = decodeInvocation(Buffer.from(JSON.stringify(invoker.sent[0]!.payload)), {}, new Date());
    expect(decoded).toMatchObject({ kind: 'run', run: { runId: 'run-1', narrowTo, continuation } });
  });

  it('a fan-out shard carries narrowTo, one shard per region the resources are in', async () => {
    const invoker = recordingInvoker();
    const starts = await fanOut(run({ narrowTo }), invoker, 'f');
    expect(starts.map((s) => s.regions)).toEqual([['cn-shanghai'], ['cn-beijing']]);
    for (const { payload } of invoker.sent) {
      expect(payload.narrowTo).toEqual(narrowTo);
      const decoded = decodeInvocation(Buffer.from(JSON.stringify(payload)), {}, new Date());
      expect(decoded).toMatchObject({ kind: 'run', run: { narrowTo, shard: payload.shard } });
    }
  });
});

describe('task ids', () => {
  it('are valid FC task ids and distinct per region and per hop, for any run id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 100_000 }), (runId, hop) => {
        const ids = [
          shardTaskId(runId, 'cn-hangzhou'),
          shardTaskId(runId, 'cn-shanghai'),
          continuationTaskId(runId, undefined, hop),
          continuationTaskId(runId, undefined, hop + 1),
          continuationTaskId(runId, { regions: ['cn-hangzhou'] }, hop),
        ];
        for (const id of ids) expect(isSafeId(id)).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});
