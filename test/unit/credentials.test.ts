import { afterEach, describe, expect, it } from 'vitest';
import { credentialsFromContext, defaultCredentialChain, resolveCredentials } from '../../lib/cloud/credentials.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('credentials', () => {
  it('takes the FC context’s credentials when present', () => {
    const context = { credentials: { accessKeyId: 'STS.id', accessKeySecret: 'sec', securityToken: 'tok' } };
    expect(credentialsFromContext(context)).toEqual({
      accessKeyId: 'STS.id',
      accessKeySecret: 'sec',
      securityToken: 'tok',
    });
    expect(resolveCredentials(context)).toEqual({
      accessKeyId: 'STS.id',
      accessKeySecret: 'sec',
      securityToken: 'tok',
    });
  });

  it('ignores a context without usable credentials', () => {
    expect(credentialsFromContext({})).toBeUndefined();
    expect(credentialsFromContext({ credentials: { accessKeyId: '', accessKeySecret: 'x' } })).toBeUndefined();
    expect(typeof resolveCredentials(undefined)).toBe('function');
  });

  it('reads ALIBABA_CLOUD_ACCESS_KEY_* from the environment through the default chain', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'env-id';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'env-secret';
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = 'env-token';
    await expect(defaultCredentialChain()()).resolves.toEqual({
      accessKeyId: 'env-id',
      accessKeySecret: 'env-secret',
      securityToken: 'env-token',
    });
  });
});
