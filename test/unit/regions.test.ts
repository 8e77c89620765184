/**
 * lib/regions.ts against the Vpc SDK itself (the oracle): the copied endpoint map is the SDK's, and for
 * every known region the catalog's Vpc host is the one the SDK's client would choose.
 */
import VpcModule from '@alicloud/vpc20160428';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../lib/catalog.ts';
import { isKnownRegion, REGION_IDS, regionsNear, VPC_ENDPOINT_MAP } from '../../lib/regions.ts';

// The package's default export is its CommonJS module.exports under ESM.
const Vpc = ((VpcModule as any).default ?? VpcModule) as new (
  config: Record<string, unknown>,
) => {
  _endpoint: string;
  _endpointMap: Record<string, string>;
};

const sdkClient = (regionId: string) => new Vpc({ regionId, accessKeyId: 'id', accessKeySecret: 'secret' });

describe('regions', () => {
  it('holds the Vpc SDK endpoint map as the SDK has it', () => {
    expect(VPC_ENDPOINT_MAP).toEqual(sdkClient('cn-hangzhou')._endpointMap);
  });

  it('chooses, for every known region, the Vpc host the SDK chooses', () => {
    const wrong = REGION_IDS.filter((r) => PRODUCTS.Vpc.endpoint(r) !== sdkClient(r)._endpoint);
    expect(wrong).toEqual([]);
    expect(PRODUCTS.Vpc.endpoint('cn-wuhan')).toBe('vpc.aliyuncs.com');
    expect(PRODUCTS.Vpc.endpoint('ap-southeast-1')).toBe('vpc.ap-southeast-1.aliyuncs.com');
  });

  it('knows the public regions and suggests the nearest for a typo', () => {
    for (const r of ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1', 'eu-central-1', 'us-east-1', 'me-central-1'])
      expect(isKnownRegion(r), r).toBe(true);
    expect(isKnownRegion('cn-hangzou')).toBe(false);
    expect(regionsNear('cn-hangzou')).toEqual(['cn-hangzhou']);
    expect(regionsNear('CN-SHANGHAI')).toEqual(['cn-shanghai']);
    expect(regionsNear('zz-nowhere-9')).toEqual([]);
  });
});
