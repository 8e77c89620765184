import { describe, expect, it } from 'vitest';
import {
  CloudCallError,
  DeadlineError,
  isEngineError,
  LimitExceededError,
  PolicyValidationError,
  redactSecrets,
  UnlistableUnitError,
  VpcTagCleanupError,
} from '../../lib/errors.ts';

describe('errors', () => {
  it('give each failure mode a literal code and a name', () => {
    const cases = [
      [
        new PolicyValidationError([{ path: 'regions', message: 'needs at least one region' }]),
        'INVALID_POLICY',
        'PolicyValidationError',
      ],
      [new UnlistableUnitError('ROUTETABLE has no list'), 'UNLISTABLE', 'UnlistableUnitError'],
      [new LimitExceededError(12, 10), 'LIMIT_EXCEEDED', 'LimitExceededError'],
      [new DeadlineError(), 'DEADLINE', 'DeadlineError'],
    ] as const;
    for (const [e, code, name] of cases) {
      expect(e).toBeInstanceOf(VpcTagCleanupError);
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
      expect(isEngineError(e)).toBe(true);
    }
  });

  it('put every policy issue with its path into the message', () => {
    const e = new PolicyValidationError([
      { path: 'regions', message: 'needs at least one region' },
      { path: 'remove.keyPatterns[0]', message: 'is not a valid regular expression' },
    ]);
    expect(e.message).toBe(
      'invalid policy: regions: needs at least one region; remove.keyPatterns[0]: is not a valid regular expression',
    );
    expect(e.issues).toHaveLength(2);
  });

  it('forward the cause', () => {
    const cause = new Error('socket hang up');
    expect(new PolicyValidationError([], { cause }).cause).toBe(cause);
    const cloud = new CloudCallError({
      code: 'ECONNRESET',
      message: 'reset',
      product: 'VpcPeer',
      action: 'UnTagResources',
      region: 'cn-hangzhou',
      retryable: true,
      cause,
    });
    expect(cloud.cause).toBe(cause);
    expect(new DeadlineError().cause).toBeUndefined();
  });

  it('carry what a cloud call error needs to be classified and reported', () => {
    const e = new CloudCallError({
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
      product: 'VpcIpam',
      action: 'UntagResources',
      region: 'cn-hangzhou',
      retryable: true,
      statusCode: 400,
      requestId: 'req-1',
    });
    expect(e).toMatchObject({
      code: 'Throttling.User',
      statusCode: 400,
      requestId: 'req-1',
      retryable: true,
      product: 'VpcIpam',
      action: 'UntagResources',
      region: 'cn-hangzhou',
    });
    expect(new LimitExceededError(12, 10)).toMatchObject({
      count: 12,
      limit: 10,
      message: expect.stringContaining('12'),
    });
  });

  it('never keep a secret in a cloud error message', () => {
    const message =
      'POST /?AccessKeyId=LTAI&Signature=c2lnbmF0dXJl&SecurityToken=tok-SECRET failed; Authorization: ACS3-HMAC-SHA256 Credential=LTAI,Signature=abcdef; accessKeySecret: "s3cr3t-value"';
    const e = new CloudCallError({
      code: 'IncompleteSignature',
      message,
      product: 'Vpc',
      action: 'UnTagResources',
      region: 'cn-hangzhou',
      retryable: false,
    });
    for (const secret of ['c2lnbmF0dXJl', 'tok-SECRET', 'abcdef', 's3cr3t-value'])
      expect(e.message).not.toContain(secret);
    expect(e.message).toContain('AccessKeyId=LTAI');
    expect(redactSecrets('nothing to hide here')).toBe('nothing to hide here');
  });

  it('are recognised by guards across module copies, by name', () => {
    const foreign = Object.assign(new Error('x'), { name: 'CloudCallError', code: 'InternalError' });
    expect(isEngineError(foreign, CloudCallError)).toBe(true);
    expect(isEngineError(foreign)).toBe(true);
    expect(isEngineError(new Error('x'), CloudCallError)).toBe(false);
    expect(isEngineError({ name: 'PolicyValidationError' }, PolicyValidationError)).toBe(true);
    expect(isEngineError(new UnlistableUnitError('x'), UnlistableUnitError)).toBe(true);
    expect(isEngineError(new DeadlineError(), LimitExceededError)).toBe(false);
    expect(isEngineError(new DeadlineError(), DeadlineError)).toBe(true);
    expect(isEngineError(null)).toBe(false);
    expect(isEngineError(Object.assign(new Error('x'), { name: 'Other', code: 'X' }))).toBe(false);
  });
});
