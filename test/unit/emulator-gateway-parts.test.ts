/**
 * The gateway's pure parts without sockets: the canonical query against the reference's captured
 * example, the verifier against the independent test signer, nonce memory, token buckets, seeded faults.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../emulator/openapi/credentials.ts';
import { FaultInjector } from '../../emulator/openapi/faults.ts';
import { QuotaBuckets } from '../../emulator/openapi/quotas.ts';
import { canonicalQuery, NonceWindow, verifyAcs3 } from '../../emulator/openapi/signature.ts';
import { type Acs3Call, signedRequest } from '../support/acs3-client.ts';

const KEY = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' };

function verify(
  call: Partial<Acs3Call>,
  options: { now?: number; store?: ReturnType<typeof createCredentialStore>; nonces?: NonceWindow } = {},
) {
  const full: Acs3Call = {
    endpoint: '127.0.0.1:9100',
    action: 'UntagResources',
    version: '2023-02-28',
    ...KEY,
    ...call,
  };
  const { path, headers, body } = signedRequest(full);
  const url = new URL(path, 'http://x');
  return verifyAcs3(
    { method: 'POST', path: url.pathname, query: url.searchParams, headers, body: Buffer.from(body) },
    options.store ?? createCredentialStore(KEY),
    options.nonces ?? new NonceWindow(),
    options.now ?? Date.now(),
  );
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('canonicalQuery', () => {
  it('matches the canonical query captured from the SDK in the reference', () => {
    // The wire form from Node's querystring leaves *()! raw; the canonical form encodes them.
    const wire = new URLSearchParams(
      'TagKey.2=a*b(c)!&RegionId=cn-hangzhou&ResourceId.2=ipam-pool-2&ResourceType=IPAMPOOL&ResourceId.1=ipam-pool-1&TagKey.1=k1',
    );
    expect(canonicalQuery(wire)).toBe(
      'RegionId=cn-hangzhou&ResourceId.1=ipam-pool-1&ResourceId.2=ipam-pool-2&ResourceType=IPAMPOOL&TagKey.1=k1&TagKey.2=a%2Ab%28c%29%21',
    );
  });
});

describe('verifyAcs3 against the independent signer', () => {
  it('accepts any query and form values the signer encodes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,10}$/), fc.string({ unit: 'grapheme' })),
        fc.string(),
        (query, form) => {
          expect(verify({ query, form: { Name: form } }).accessKeyId).toBe(KEY.accessKeyId);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an issued STS session with a wrong token as Malformed and a stale one as Expired', () => {
    let clock = 1_000_000;
    const store = createCredentialStore({ ...KEY, sessionTtlMs: 60_000, now: () => clock });
    const session = store.issueSession();
    const base = { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret };
    expect(codeOf(() => verify({ ...base, securityToken: session.securityToken }, { store }))).toBe('OK');
    expect(codeOf(() => verify({ ...base, securityToken: 'other' }, { store }))).toBe('InvalidSecurityToken.Malformed');
    expect(codeOf(() => verify(base, { store }))).toBe('InvalidSecurityToken.Malformed');
    const other = store.issueSession();
    expect(codeOf(() => verify({ ...base, securityToken: other.securityToken }, { store }))).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
    clock += 61_000;
    expect(codeOf(() => verify({ ...base, securityToken: session.securityToken }, { store }))).toBe(
      'InvalidSecurityToken.Expired',
    );
  });

  it('refuses a tampered query value and a changed signed header', () => {
    const full: Acs3Call = {
      endpoint: '127.0.0.1:9100',
      action: 'UntagResources',
      version: '2023-02-28',
      ...KEY,
      query: { A: 'x' },
    };
    const { headers, body } = signedRequest(full);
    const store = createCredentialStore(KEY);
    const hash = createHash('sha256').update(body).digest('hex');
    expect(hash).toBe(headers['x-acs-content-sha256']);
    const run = (query: string, h: Record<string, string>) =>
      codeOf(() =>
        verifyAcs3(
          { method: 'POST', path: '/', query: new URLSearchParams(query), headers: h, body: Buffer.from(body) },
          store,
          new NonceWindow(),
          Date.now(),
        ),
      );
    expect(run('A=x', headers)).toBe('OK');
    expect(run('A=y', headers)).toBe('SignatureDoesNotMatch');
    expect(run('A=x', { ...headers, 'x-acs-action': 'TagResources' })).toBe('SignatureDoesNotMatch');
    expect(run('A=x', { ...headers, 'x-acs-date': 'yesterday' })).toBe('InvalidTimeStamp.Format');
  });
});

describe('NonceWindow', () => {
  it('forgets a nonce once the window has passed, and keeps at most its cap', () => {
    const window = new NonceWindow(1_000, 3);
    expect(window.claim('a', 0)).toBe(true);
    expect(window.claim('a', 500)).toBe(false);
    expect(window.claim('a', 1_600)).toBe(true);
    for (const n of ['b', 'c', 'd']) window.claim(n, 1_700);
    expect(window.claim('a', 1_700)).toBe(true); // evicted by the cap
  });
});

describe('QuotaBuckets', () => {
  it('allows one second of burst at the scaled rate, then one call per refill interval', () => {
    const quotas = new QuotaBuckets({ enabled: true, scale: 2 }); // VpcIpam untag 300/min x 2 = 10/s
    let ok = 0;
    for (let i = 0; i < 20; i++) if (quotas.take('acct', 'cn-hangzhou', 'VpcIpam:UntagResources', 0)) ok++;
    expect(ok).toBe(10);
    expect(quotas.take('acct', 'cn-hangzhou', 'VpcIpam:UntagResources', 50)).toBe(false);
    expect(quotas.take('acct', 'cn-hangzhou', 'VpcIpam:UntagResources', 100)).toBe(true);
    expect(quotas.take('acct', 'cn-shanghai', 'VpcIpam:UntagResources', 100)).toBe(true);
    expect(quotas.take('other', 'cn-hangzhou', 'VpcIpam:UntagResources', 100)).toBe(true);
  });

  it('reads the published figures and overrides them per API', () => {
    const quotas = new QuotaBuckets({ enabled: true, scale: 1 });
    expect(quotas.ratePerSecond('VpcPeer:ListTagResources')).toBe(50);
    expect(quotas.ratePerSecond('VpcIpam:ListIpamPools') * 60).toBeCloseTo(800);
    quotas.configure({ perMinute: { 'VpcPeer:ListTagResources': 60 } });
    expect(quotas.ratePerSecond('VpcPeer:ListTagResources')).toBe(1);
    quotas.reset();
    expect(quotas.ratePerSecond('VpcPeer:ListTagResources')).toBe(50);
  });
});

describe('FaultInjector', () => {
  const call = { product: 'VpcIpam' as const, action: 'UntagResources', region: 'cn-hangzhou', isWrite: true };
  const pattern = (seed: number) => {
    const faults = new FaultInjector();
    faults.set({
      seed,
      rules: [
        { kind: 'error', rate: 0.3 },
        { kind: 'latency', ms: 10, jitterMs: 5 },
      ],
    });
    return Array.from({ length: 50 }, () => {
      const plan = faults.plan(call)!;
      return `${plan.outcome?.kind ?? 'ok'}:${plan.delayMs.toFixed(3)}`;
    });
  };

  it('draws the same faults for the same seed and others for another seed', () => {
    expect(pattern(5)).toEqual(pattern(5));
    expect(pattern(5)).not.toEqual(pattern(6));
    const errors = pattern(5).filter((p) => p.startsWith('error')).length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(30);
  });

  it('fires a counted rule on the first N matching calls only, and never loses a read', () => {
    const faults = new FaultInjector();
    faults.set({ rules: [{ kind: 'applied-then-lost', count: 2 }] });
    expect(faults.plan({ ...call, isWrite: false })).toBeUndefined();
    expect([faults.plan(call)?.outcome?.kind, faults.plan(call)?.outcome?.kind, faults.plan(call)]).toEqual([
      'applied-then-lost',
      'applied-then-lost',
      undefined,
    ]);
  });
});
