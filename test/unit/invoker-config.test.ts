import { describe, expect, it } from 'vitest';
import { runInvocation } from '../../lib/invocation.ts';
import { invokerConfigFromEnv } from '../../lib/invoker/index.ts';

describe('invokerConfigFromEnv', () => {
  it('defaults to FC 3.0 with the auto signature', () => {
    expect(invokerConfigFromEnv({})).toEqual({ ok: true, config: { api: '2023-03-30', signature: 'auto' } });
    expect(invokerConfigFromEnv({ VPC_TAG_CLEANUP_FC_SIGNATURE: 'acs3' })).toEqual({
      ok: true,
      config: { api: '2023-03-30', signature: 'acs3' },
    });
  });

  it('takes the 2016-08-15 API with a service, from the variable or the context', () => {
    const env = { VPC_TAG_CLEANUP_FC_API: '2016-08-15', VPC_TAG_CLEANUP_FC_SERVICE: 'svc' };
    expect(invokerConfigFromEnv(env)).toEqual({ ok: true, config: { api: '2016-08-15', service: 'svc' } });
    expect(invokerConfigFromEnv({ VPC_TAG_CLEANUP_FC_API: '2016-08-15' }, 'from-context')).toEqual({
      ok: true,
      config: { api: '2016-08-15', service: 'from-context' },
    });
  });

  it('names the variable that is wrong', () => {
    expect(invokerConfigFromEnv({ VPC_TAG_CLEANUP_FC_API: '2021-04-06' })).toMatchObject({
      ok: false,
      variable: 'VPC_TAG_CLEANUP_FC_API',
    });
    expect(invokerConfigFromEnv({ VPC_TAG_CLEANUP_FC_API: '2016-08-15' })).toMatchObject({
      ok: false,
      variable: 'VPC_TAG_CLEANUP_FC_SERVICE',
    });
    expect(invokerConfigFromEnv({ VPC_TAG_CLEANUP_FC_SIGNATURE: 'v2' })).toMatchObject({
      ok: false,
      variable: 'VPC_TAG_CLEANUP_FC_SIGNATURE',
    });
  });

  it('makes the function answer a wrong configuration with INVALID_CONFIG before any cloud call', async () => {
    const lines: string[] = [];
    const { report } = await runInvocation(
      {
        policy: {
          name: 'p',
          regions: ['cn-hangzhou'],
          resourceTypes: ['VPC'],
          remove: { keys: ['tmp'] },
          dryRun: false,
        },
        runId: 'r1',
        source: 'manual',
      },
      {
        // No endpoint a call could reach: a cloud call would fail the run differently.
        env: { VPC_TAG_CLEANUP_FC_API: 'nope', VPC_TAG_CLEANUP_ENDPOINT: '127.0.0.1:1' },
        context: {
          function: { name: 'fn', timeout: 60 },
          credentials: { accessKeyId: 'STS.x', accessKeySecret: 's', securityToken: 't' },
          accountId: '1234567890123456',
          region: 'cn-hangzhou',
        },
        startedMs: Date.now(),
        log: (l: string) => lines.push(l),
      },
    );
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(report.error?.message).toContain('VPC_TAG_CLEANUP_FC_API');
    expect(report.totals.calls).toMatchObject({ list: 0, untag: 0 });
  });
});
