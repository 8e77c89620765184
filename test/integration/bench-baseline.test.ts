/**
 * The naive baseline of the benchmarks, against the emulator through the real SDK port: it must be
 * correct (a wrong baseline would make any comparison meaningless) and make the calls the literal
 * approach makes: every policy key to every matched resource, 20 ids x 20 keys per call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, diffStats, EmulatorAdmin, isListApi, isUntagApi } from '../../bench/admin.ts';
import { runBaseline } from '../../bench/baseline.ts';
import { emulatorPort } from '../../bench/engine.ts';
import { checkState, type PolicyShape } from '../../bench/expected.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

let emu: Emulator;
let admin: EmulatorAdmin;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
  admin = new EmulatorAdmin(emu.url);
});
afterAll(async () => {
  await emu?.close();
});

const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);

describe('runBaseline', () => {
  it('sends all 25 policy keys to each of 45 matched pools in 3 x 2 calls and ends with the exact state', async () => {
    const resources = Array.from({ length: 50 }, (_, i) => ({
      type: 'IPAMPOOL',
      region: 'cn-hangzhou',
      id: `ipam-pool-b${i}`,
      // 45 carry one policy key, 5 carry none; three are protected.
      tags: { ...(i < 45 ? { [`k${i % 25}`]: 'v' } : {}), keep: 'x', ...(i % 15 === 1 ? { protect: 'yes' } : {}) },
    }));
    await admin.seed(resources);
    const policy: PolicyShape = {
      regions: ['cn-hangzhou'],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys, keyPatterns: ['^never-'] },
      protect: { resourceTag: { key: 'protect', value: 'yes' } },
    };
    const s0 = await admin.stats();
    const result = await runBaseline(emulatorPort(emu.endpoint), policy, {
      concurrency: 4,
      retryDelayMs: 10,
      maxRetries: 2,
    });
    const stats = diffStats(await admin.stats(), s0);
    expect(result.matched).toBe(42);
    // ceil(42 / 20) = 3 id slices x ceil(25 / 20) = 2 key slices.
    expect(countCalls(stats, isUntagApi)).toBe(6);
    expect(result.calls.untag).toBe(6);
    expect(countCalls(stats, isListApi)).toBe(result.calls.list);
    const after = await admin.resources({ type: 'IPAMPOOL' });
    expect(checkState(policy, resources, after)).toEqual({ notRemoved: [], wronglyTouched: [], unexpected: [] });
  });

  it('finds the same resources through the typed list alone in one page, and writes the same 6 calls', async () => {
    await admin.reset();
    const resources = Array.from({ length: 50 }, (_, i) => ({
      type: 'IPAMPOOL',
      region: 'cn-hangzhou',
      id: `ipam-pool-t${i}`,
      tags: { ...(i < 45 ? { [`k${i % 25}`]: 'v' } : {}), keep: 'x' },
    }));
    await admin.seed(resources);
    const policy: PolicyShape = { regions: ['cn-hangzhou'], resourceTypes: ['IPAMPOOL'], remove: { keys } };
    const s0 = await admin.stats();
    const result = await runBaseline(emulatorPort(emu.endpoint), policy, {
      concurrency: 4,
      retryDelayMs: 10,
      maxRetries: 2,
      discovery: 'typed',
    });
    const stats = diffStats(await admin.stats(), s0);
    expect(result.matched).toBe(45);
    expect(countCalls(stats, isListApi)).toBe(1);
    expect(countCalls(stats, isUntagApi)).toBe(6);
    expect(checkState(policy, resources, await admin.resources({ type: 'IPAMPOOL' }))).toEqual({
      notRemoved: [],
      wronglyTouched: [],
      unexpected: [],
    });
  });

  it('retries with a fixed delay through injected 503s and still ends exact', async () => {
    await admin.reset();
    const resources = Array.from({ length: 30 }, (_, i) => ({
      type: 'PeerConnection',
      region: 'cn-hangzhou',
      id: `pcc-b${i}`,
      tags: { 'tmp-a': '1', keep: '2' },
    }));
    await admin.seed(resources);
    await admin.setFaults([{ kind: 'error', code: 'ServiceUnavailable', status: 503, rate: 0.3 }], 9);
    const policy: PolicyShape = {
      regions: ['cn-hangzhou'],
      resourceTypes: ['PeerConnection'],
      remove: { keyPatterns: ['^tmp-'] },
    };
    const result = await runBaseline(emulatorPort(emu.endpoint), policy, {
      concurrency: 4,
      retryDelayMs: 5,
      maxRetries: 8,
    });
    await admin.clearFaults();
    expect(result.calls.retried).toBeGreaterThan(0);
    expect(result.calls.failed).toBe(0);
    expect(checkState(policy, resources, await admin.resources({ type: 'PeerConnection' }))).toEqual({
      notRemoved: [],
      wronglyTouched: [],
      unexpected: [],
    });
  });
});
