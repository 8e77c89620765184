import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../emulator/contracts.ts';
import { fcContentMd5, fcSign, fcStringToSign, verifyFcSignature } from '../../emulator/fc/signature.ts';

const FC2 = createRequire(import.meta.url)('@alicloud/fc2') as {
  getSignature(
    id: string,
    secret: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    queries: Record<string, string> | null,
  ): string;
};

const store: CredentialStore = {
  secretFor: (id) => (id === 'AK1' ? 'secret-1' : id === 'STS.x' ? 'sts-secret' : undefined),
  tokenMatches: (id, token) => id === 'STS.x' && token === 'tok',
  issueSession: () => ({ accessKeyId: 'STS.x', accessKeySecret: 'sts-secret', securityToken: 'tok', expiresAt: 0 }),
  accountOf: () => '1234567890123456',
};

const headerName = fc.stringMatching(/^x-fc-[a-z0-9-]{1,12}$/);
const headerValue = fc.stringMatching(/^[A-Za-z0-9 _.:/=-]{0,20}$/);

describe('fcStringToSign', () => {
  it('yields the signature @alicloud/fc2 computes, for any x-fc-* headers and bodies', () => {
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue, { maxKeys: 5 }), fc.string(), (extra, body) => {
        const headers: Record<string, string> = {
          date: new Date(0).toUTCString(),
          'content-type': 'application/octet-stream',
          'content-md5': fcContentMd5(Buffer.from(body)),
          ...extra,
        };
        const path = '/2023-03-30/functions/f/invocations';
        const expected = FC2.getSignature('AK1', 'secret-1', 'POST', path, headers, null);
        expect(`FC AK1:${fcSign('secret-1', fcStringToSign('POST', path, headers))}`).toBe(expected);
      }),
    );
  });

  it('matches a signature built by hand from the reference rules', () => {
    const body = Buffer.from('{"a":1}');
    const md5 = Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64');
    const date = 'Thu, 01 Jan 2026 00:00:00 GMT';
    const headers = {
      date,
      'content-type': 'application/octet-stream',
      'content-md5': md5,
      'x-fc-b': '2',
      'x-fc-a': '1',
    };
    const sts = `POST\n${md5}\napplication/octet-stream\n${date}\nx-fc-a:1\nx-fc-b:2\n/2016-08-15/services/s/functions/f/invocations`;
    const manual = createHmac('sha256', 'secret-1').update(sts).digest('base64');
    const verdict = verifyFcSignature(
      store,
      'POST',
      '/2016-08-15/services/s/functions/f/invocations',
      { ...headers, authorization: `FC AK1:${manual}` } as IncomingHttpHeaders,
      body,
    );
    expect(verdict).toEqual({ ok: true, accessKeyId: 'AK1' });
  });
});

describe('verifyFcSignature', () => {
  const path = '/2023-03-30/functions/f/invocations';
  const signed = (id: string, secret: string, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { date: new Date().toUTCString(), ...extra };
    headers.authorization = FC2.getSignature(id, secret, 'POST', path, headers, null);
    return headers as IncomingHttpHeaders;
  };

  it('refuses an unknown key, a wrong secret, a wrong STS token and a body that does not match its MD5', () => {
    const v = (h: IncomingHttpHeaders, body = Buffer.alloc(0)) => verifyFcSignature(store, 'POST', path, h, body);
    expect(v(signed('nobody', 'x'))).toMatchObject({ ok: false, code: 'InvalidAccessKeyID' });
    expect(v(signed('AK1', 'wrong'))).toMatchObject({ ok: false, code: 'SignatureNotMatch' });
    expect(v(signed('STS.x', 'sts-secret', { 'x-fc-security-token': 'other' }))).toMatchObject({
      ok: false,
      code: 'AccessDenied',
    });
    expect(v(signed('STS.x', 'sts-secret', { 'x-fc-security-token': 'tok' }))).toEqual({
      ok: true,
      accessKeyId: 'STS.x',
    });
    const md5 = fcContentMd5(Buffer.from('one'));
    expect(v(signed('AK1', 'secret-1', { 'content-md5': md5 }), Buffer.from('two'))).toMatchObject({
      ok: false,
      code: 'InvalidArgument',
    });
    expect(v({ date: 'x' })).toMatchObject({ ok: false, code: 'MissingRequiredHeader' });
  });
});
