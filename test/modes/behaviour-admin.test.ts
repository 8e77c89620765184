/**
 * The behaviour-mode surface: every switch registered with its default, set at start
 * (`startEmulator({ behaviour })`, `--behaviour`), read and partially merged at run time through the admin
 * API, bad names and values refused naming them, and handlers reading the value current at each call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BEHAVIOURS, parseBehaviourList } from '../../emulator/behaviour.ts';
import { EmulatorArgsError, emulatorOptionsFrom } from '../../emulator/cli-options.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { sdkCall, sdkClient } from '../support/sdk.ts';

const DEFAULTS = {
  listTagsByKey: 'full',
  untagAbsentKey: 'noop',
  vanishedInBatch: 'reject',
  peerListFilters: 'honoured',
  fcInvokeSignature: 'fc',
  describeDeepPaging: 'ok',
  ipamPoolRegion: 'pool',
  quotaWindow: 'smooth',
};

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu!.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

describe('behaviour switches', () => {
  it('registers every switch named in the design, each with its values, default and doc', () => {
    expect(Object.keys(BEHAVIOURS).sort()).toEqual(Object.keys(DEFAULTS).sort());
    for (const [name, spec] of Object.entries(BEHAVIOURS)) {
      expect(spec.values as readonly string[], name).toContain(spec.default);
      expect(spec.values.length, name).toBeGreaterThanOrEqual(2);
      expect(spec.doc.length, name).toBeGreaterThan(20);
    }
  });

  it('GET answers the defaults; PUT merges partially and answers all values; reset restores the start values', async () => {
    emu = await startEmulator({ behaviour: { quotaWindow: 'minute' } });
    expect((await admin('GET', '/__admin/behaviour')).body).toEqual({ ...DEFAULTS, quotaWindow: 'minute' });
    const put = await admin('PUT', '/__admin/behaviour', { listTagsByKey: 'matching' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...DEFAULTS, quotaWindow: 'minute', listTagsByKey: 'matching' });
    await admin('PUT', '/__admin/behaviour', { describeDeepPaging: 'throttle' });
    expect((await admin('GET', '/__admin/behaviour')).body).toMatchObject({
      listTagsByKey: 'matching',
      describeDeepPaging: 'throttle',
    });
    expect((await admin('POST', '/__admin/reset', {})).status).toBe(200);
    expect((await admin('GET', '/__admin/behaviour')).body).toEqual({ ...DEFAULTS, quotaWindow: 'minute' });
  });

  it('refuses a bad name or value with 400 naming it, and changes nothing', async () => {
    emu = await startEmulator();
    const badName = await admin('PUT', '/__admin/behaviour', { listTagsByKey: 'matching', listTagByKey: 'full' });
    expect(badName.status).toBe(400);
    expect(badName.body.error).toContain('listTagByKey');
    const badValue = await admin('PUT', '/__admin/behaviour', { quotaWindow: 'hourly' });
    expect(badValue.status).toBe(400);
    expect(badValue.body.error).toContain('quotaWindow');
    expect(badValue.body.error).toContain('hourly');
    expect(badValue.body.error).toContain('smooth | minute');
    expect((await admin('PUT', '/__admin/behaviour', { quotaWindow: 1 })).status).toBe(400);
    expect((await admin('PUT', '/__admin/behaviour', '[]')).status).toBe(400);
    expect((await admin('PUT', '/__admin/behaviour', 'nope')).status).toBe(400);
    expect((await admin('GET', '/__admin/behaviour')).body).toEqual(DEFAULTS);
  });

  it('startEmulator refuses a bad switch', async () => {
    await expect(startEmulator({ behaviour: { quotaWindow: 'hourly' } as never })).rejects.toThrow(/quotaWindow/);
  });

  it('--behaviour parses name=value lists and names what is wrong', () => {
    expect(emulatorOptionsFrom({ behaviour: 'listTagsByKey=matching, quotaWindow=minute' }).behaviour).toEqual({
      listTagsByKey: 'matching',
      quotaWindow: 'minute',
    });
    expect(emulatorOptionsFrom({}).behaviour).toBeUndefined();
    expect(() => emulatorOptionsFrom({ behaviour: 'quotaWindow' })).toThrow(EmulatorArgsError);
    expect(() => emulatorOptionsFrom({ behaviour: 'quotaWindow' })).toThrow(/--behaviour.*name=value/);
    expect(() => emulatorOptionsFrom({ behaviour: 'nosuch=1' })).toThrow(/nosuch/);
    expect(() => emulatorOptionsFrom({ behaviour: 'ipamPoolRegion=region' })).toThrow(/hosted/);
    expect(() => parseBehaviourList('quotaWindow=minute,quotaWindow=smooth')).toThrow(/twice/);
  });

  it('handlers read the value current at each call (quotaWindow flipped between calls)', async () => {
    emu = await startEmulator({ seed: 'demo' });
    await admin('PUT', '/__admin/quotas', { perMinute: { 'VpcIpam:ListIpams': 5 } });
    const client = sdkClient(emu.endpoint, emu);
    const burst = async () => {
      let ok = 0;
      for (let i = 0; i < 7; i++) {
        try {
          await sdkCall(client, 'VpcIpam', 'ListIpams', { RegionId: 'cn-hangzhou' });
          ok++;
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/^Throttling/);
        }
      }
      return ok;
    };
    // smooth: 5/60 s refills, a burst of one call.
    expect(await burst()).toBe(1);
    await admin('PUT', '/__admin/behaviour', { quotaWindow: 'minute' });
    // minute: the window counts calls let through, none yet under this shape.
    expect(await burst()).toBe(5);
  });
});
