import { describe, expect, it } from 'vitest';
import { clientTokenFor } from '../../lib/execute/client-token.ts';

const batch = { region: 'cn-hangzhou', type: 'PeerConnection' as const, ids: ['pcc-2', 'pcc-1'], keys: ['b', 'a'] };

describe('clientTokenFor', () => {
  it('is ASCII and at most 64 characters', () => {
    const token = clientTokenFor('run-1', 'UnTagResources', batch);
    expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
  });

  it('is the same for the same batch whatever the order of ids and keys', () => {
    expect(clientTokenFor('run-1', 'UnTagResources', batch)).toBe(
      clientTokenFor('run-1', 'UnTagResources', { ...batch, ids: ['pcc-1', 'pcc-2'], keys: ['a', 'b'] }),
    );
  });

  it('differs when the run, invocation, action, region, type, ids or keys differ, and for all', () => {
    const base = clientTokenFor('run-1', 'UnTagResources', batch);
    const variants = [
      clientTokenFor('run-2', 'UnTagResources', batch),
      clientTokenFor('run-1', 'TagResources', batch),
      clientTokenFor('run-1', 'UnTagResources', { ...batch, region: 'cn-shanghai' }),
      clientTokenFor('run-1', 'UnTagResources', { ...batch, type: 'IPAM' }),
      clientTokenFor('run-1', 'UnTagResources', { ...batch, ids: ['pcc-1'] }),
      clientTokenFor('run-1', 'UnTagResources', { ...batch, keys: ['a'] }),
      clientTokenFor('run-1', 'UnTagResources', { ...batch, keys: 'all' }),
      clientTokenFor('run-1', 'UnTagResources', batch, 'another-invocation'),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('is the same for the same invocation (retries and FC re-deliveries)', () => {
    expect(clientTokenFor('run-1', 'UnTagResources', batch, 'req-1')).toBe(
      clientTokenFor('run-1', 'UnTagResources', { ...batch }, 'req-1'),
    );
  });

  it('does not confuse a key list with ids that read the same when joined', () => {
    expect(clientTokenFor('r', 'A', { ...batch, ids: ['a,b'], keys: ['c'] })).not.toBe(
      clientTokenFor('r', 'A', { ...batch, ids: ['a', 'b'], keys: ['c'] }),
    );
  });
});
