import { describe, expect, it } from 'vitest';
import {
  isBatchTooLargeCode,
  isNotFoundCode,
  isRetryableCode,
  keyRuleViolation,
  listerOf,
  PRODUCTS,
  productOf,
  quotaPerMinute,
  RESOURCE_TYPE_NAMES,
  TUNING,
  withTuning,
} from '../../lib/catalog.ts';

describe('catalog', () => {
  it('batches at 20 ids x 20 keys for every API', () => {
    expect(TUNING.maxIdsPerCall).toBe(20);
    expect(TUNING.maxKeysPerCall).toBe(20);
    expect(withTuning({ maxIdsPerCall: 2 }).maxIdsPerCall).toBe(2);
    expect(TUNING.maxIdsPerCall).toBe(20);
  });

  it('spells the untag action per product, case included', () => {
    expect(PRODUCTS.VpcIpam.untagAction).toBe('UntagResources');
    expect(PRODUCTS.VpcPeer.untagAction).toBe('UnTagResources');
    expect(PRODUCTS.Vpc.untagAction).toBe('UnTagResources');
  });

  it('routes endpoints by product rule', () => {
    expect(PRODUCTS.VpcIpam.endpoint('cn-shanghai')).toBe('vpcipam.cn-shanghai.aliyuncs.com');
    expect(PRODUCTS.VpcPeer.endpoint('cn-shanghai')).toBe('vpcpeer.aliyuncs.com');
    expect(PRODUCTS.Vpc.endpoint('cn-hangzhou')).toBe('vpc.aliyuncs.com');
    expect(PRODUCTS.Vpc.endpoint('cn-beijing')).toBe('vpc.cn-beijing.aliyuncs.com');
  });

  it('gives only VpcPeer a ClientToken', () => {
    expect(
      Object.entries(PRODUCTS)
        .filter(([, p]) => p.clientToken)
        .map(([n]) => n),
    ).toEqual(['VpcPeer']);
  });

  it('maps every IPAM and peer type to a typed lister', () => {
    expect(productOf('IPAMPOOL')).toBe('VpcIpam');
    expect(listerOf('IPAMPOOL')?.action).toBe('ListIpamPools');
    expect(listerOf('PeerConnection')?.bodyParams).toContain('NextToken');
    expect(listerOf('ROUTETABLE')).toBeUndefined();
    expect(RESOURCE_TYPE_NAMES).toContain('COMMONBANDWIDTHPACKAGE');
  });

  it('holds the published quotas', () => {
    expect(quotaPerMinute('VpcIpam', 'ListIpamPools')).toBe(800);
    expect(quotaPerMinute('VpcPeer', 'UnTagResources')).toBe(1000);
    expect(quotaPerMinute('Vpc', 'UnTagResources')).toBe(300);
  });

  it('applies key rules per product', () => {
    expect(keyRuleViolation('VpcIpam', 'a'.repeat(65))).toMatch(/64/);
    expect(keyRuleViolation('VpcPeer', 'a'.repeat(65))).toBeUndefined();
    expect(keyRuleViolation('VpcPeer', 'a'.repeat(129))).toMatch(/128/);
    expect(keyRuleViolation('Vpc', 'aliyun:x')).toMatch(/reserved/);
    expect(keyRuleViolation('Vpc', 'acs:rm:rgId')).toMatch(/reserved/);
    expect(keyRuleViolation('VpcIpam', '1abc')).toMatch(/letter/);
    expect(keyRuleViolation('VpcPeer', 'see https://x')).toMatch(/https/);
    expect(keyRuleViolation('VpcIpam', 'CostCenter')).toBeUndefined();
  });

  it('classifies error codes by table', () => {
    expect(isRetryableCode('Throttling.User')).toBe(true);
    expect(isRetryableCode('ServiceUnavailable', 503)).toBe(true);
    expect(isRetryableCode('IncorrectStatus.VpcPeer')).toBe(true);
    expect(isRetryableCode('Forbidden.RAM', 403)).toBe(false);
    expect(isRetryableCode('IdempotentParameterMismatch', 400)).toBe(false);
    expect(isRetryableCode(undefined, 502)).toBe(true);
    expect(isNotFoundCode('ResourceNotFound.IpamPool')).toBe(true);
    expect(isNotFoundCode('InvalidInstanceIds.NotFound')).toBe(true);
    expect(isNotFoundCode('InvalidAccessKeyId.NotFound')).toBe(false);
    expect(isBatchTooLargeCode('NumberExceed.ResourceIds')).toBe(true);
    expect(isBatchTooLargeCode('IllegalParamSize.Tags')).toBe(true);
  });
});
