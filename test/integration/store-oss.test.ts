/**
 * The OSS backend of the run store through `ali-oss` against the emulator's OSS subset: the same suite
 * as the local directory, then OSS's refusals as the SDK reports them (the emulator checks the V1
 * signature the SDK sends).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createOssStore } from '../../lib/store/oss.ts';
import { describeRunStore } from './support/store-suite.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ ossBuckets: ['vtc-runs'] });
});
afterAll(async () => {
  await emu?.close();
});

let n = 0;
const storeOf = (over: Partial<Parameters<typeof createOssStore>[0]> = {}) =>
  createOssStore({
    bucket: 'vtc-runs',
    prefix: `suite-${++n}`,
    location: `oss://vtc-runs/suite-${n}`,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.url,
    ...over,
  });

describeRunStore('OSS on the emulator', async () => storeOf());

describe('the OSS run store', () => {
  it('keeps its objects under the prefix in the bucket', async () => {
    const s = storeOf({ prefix: 'team/a', location: 'oss://vtc-runs/team/a' });
    await s.put('run-1/report.json', '{}');
    expect(emu.oss.objects('vtc-runs', 'team/a/')).toEqual([{ key: 'team/a/run-1/report.json', size: 2 }]);
  });

  it('answers a missing bucket with NoSuchBucket, a wrong secret with SignatureDoesNotMatch, an unknown key with InvalidAccessKeyId', async () => {
    const noBucket = await storeOf({ bucket: 'not-there', location: 'oss://not-there/x' })
      .put('r/report.json', 'x')
      .catch((e: unknown) => e);
    expect(noBucket).toMatchObject({ code: 'STORE_UNAVAILABLE', backendCode: 'NoSuchBucket' });
    expect((noBucket as Error).message).toContain('oss://not-there/x');

    const badSecret = await storeOf({ accessKeySecret: 'wrong-secret-value' })
      .get('r/report.json')
      .catch((e: unknown) => e);
    expect(badSecret).toMatchObject({ backendCode: 'SignatureDoesNotMatch' });
    expect(JSON.stringify(badSecret)).not.toContain('wrong-secret-value');
    expect((badSecret as Error).message).not.toContain('wrong-secret-value');

    const unknownKey = await storeOf({ accessKeyId: 'NoSuchKeyId' })
      .list('r/')
      .catch((e: unknown) => e);
    expect(unknownKey).toMatchObject({ backendCode: 'InvalidAccessKeyId' });
  });

  it('answers AccessDenied once the bucket refuses writes, and keeps what was written before', async () => {
    const s = storeOf();
    await s.put('r/one.json', '1');
    emu.oss.setFault({ deny: 'PutObject', after: 1 });
    try {
      await s.put('r/two.json', '2');
      await expect(s.put('r/three.json', '3')).rejects.toMatchObject({ backendCode: 'AccessDenied' });
    } finally {
      emu.oss.setFault({});
    }
    expect(await s.list('r/')).toEqual(['r/one.json', 'r/two.json']);
  });

  it('refuses a request whose signature was made for another object (the emulator checks the resource)', async () => {
    // A signature is over VERB, Content-MD5, Content-Type, date, x-oss headers and /bucket/object:
    // replaying one on another path must fail.
    const s = storeOf();
    await s.put('r/a.json', 'a');
    const res = await fetch(`${emu.url}/suite-x/r/a.json`, {
      headers: {
        host: 'vtc-runs.oss-cn-hangzhou.aliyuncs.com',
        'x-oss-date': new Date().toUTCString(),
        authorization: `OSS ${emu.accessKeyId}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=`,
      },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
