import { describe, expect, it } from 'vitest';
import { rememberSecrets, scrubSecrets } from '../../lib/secrets.ts';

describe('scrubSecrets', () => {
  it('removes a remembered secret in raw, URL-encoded, base64 and hex forms without being told again', () => {
    const secret = 'remembered/Secret+Value=1';
    rememberSecrets(secret);
    const text = [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('hex'),
    ].join(' | ');
    const out = scrubSecrets(text);
    expect(out).toBe('[redacted] | [redacted] | [redacted] | [redacted]');
  });

  it('leaves ordinary text alone and scrubs named values it does not know', () => {
    expect(scrubSecrets('IPAM ListIpams (cn-hangzhou) failed: Throttling')).toBe(
      'IPAM ListIpams (cn-hangzhou) failed: Throttling',
    );
    expect(scrubSecrets('SecurityToken=abc&x=1 Authorization: ACS3 k')).toBe(
      'SecurityToken=[redacted]&x=1 Authorization: [redacted]',
    );
  });

  it('ignores values too short to scrub by value', () => {
    expect(scrubSecrets('a b c', ['a', 'b'])).toBe('a b c');
  });
});
