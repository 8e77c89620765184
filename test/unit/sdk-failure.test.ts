/**
 * A member account's STS or directory refusal becomes a value with no secret in it: the one scrubber
 * (lib/secrets.ts) with the credentials the call used, in every encoding, not a raw split of each.
 */
import { describe, expect, it } from 'vitest';
import { sdkFailureOf } from '../../lib/accounts/sdk-failure.ts';

describe('sdkFailureOf', () => {
  it('keeps the code and request id and scrubs the call’s secret in raw, base64 and URL-encoded form', () => {
    const secret = 'sts-secret-Zq8/x+Kp2w==';
    const echoed = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)].join(' | ');
    const f = sdkFailureOf(
      { code: 'NoPermission', statusCode: 403, data: { Message: `refused: ${echoed}`, RequestId: 'req-9' } },
      [secret],
    );
    expect(f).toMatchObject({ code: 'NoPermission', requestId: 'req-9', httpStatus: 403 });
    expect(f.message.startsWith('refused: ')).toBe(true);
    for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)])
      expect(f.message).not.toContain(form);
  });
});
