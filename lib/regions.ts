/**
 * Region ids the tool knows, and the Vpc host of each. Two sources, both cited so they can be refreshed:
 * - `VPC_ENDPOINT_MAP`: the endpoint map of the Vpc SDK (`@alicloud/vpc20160428` 7.3.2, `dist/client.js`,
 *   `Client` constructor `_endpointMap`), copied as written: the regions whose Vpc host is not the
 *   regional `vpc.<region>.aliyuncs.com` (the SDK's `getEndpointRules('vpc', region, 'regional')`);
 * - `PUBLIC_REGIONS`: the public regions of the Vpc endpoints page
 *   (alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-endpoint, and the VpcIpam and
 *   VpcPeer endpoint pages), which the SDK map leaves to the regional rule.
 * A region id in neither is almost always a typo (`cn-hangzou`), so the policy refuses it with the
 * nearest known ids. Pure data and lookups; the emulator keeps no copy (it accepts any region).
 */
import { nearMisses } from './near-miss.ts';

/** `@alicloud/vpc20160428` 7.3.2 `_endpointMap`, verbatim. */
export const VPC_ENDPOINT_MAP: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'vpc.aliyuncs.com',
  'cn-shanghai-finance-1': 'vpc.aliyuncs.com',
  'cn-shenzhen-finance-1': 'vpc.aliyuncs.com',
  'cn-north-2-gov-1': 'vpc.aliyuncs.com',
  'ap-northeast-2-pop': 'vpc.aliyuncs.com',
  'cn-beijing-finance-pop': 'vpc.aliyuncs.com',
  'cn-beijing-gov-1': 'vpc.aliyuncs.com',
  'cn-beijing-nu16-b01': 'vpc.aliyuncs.com',
  'cn-edge-1': 'vpc-nebula.cn-qingdao-nebula.aliyuncs.com',
  'cn-fujian': 'vpc.aliyuncs.com',
  'cn-haidian-cm12-c01': 'vpc.aliyuncs.com',
  'cn-hangzhou-bj-b01': 'vpc.aliyuncs.com',
  'cn-hangzhou-finance': 'vpc.aliyuncs.com',
  'cn-hangzhou-internal-prod-1': 'vpc.aliyuncs.com',
  'cn-hangzhou-internal-test-1': 'vpc-pre.cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-internal-test-2': 'vpc-inner-pre.cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-internal-test-3': 'vpc-pre.cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-test-306': 'vpc-pre.cn-hangzhou.aliyuncs.com',
  'cn-hongkong-finance-pop': 'vpc.aliyuncs.com',
  'cn-huhehaote-nebula-1': 'vpc-nebula.cn-qingdao-nebula.aliyuncs.com',
  'cn-qingdao-nebula': 'vpc-nebula.cn-qingdao-nebula.aliyuncs.com',
  'cn-shanghai-et15-b01': 'vpc-pre.cn-hangzhou.aliyuncs.com',
  'cn-shanghai-et2-b01': 'vpc.aliyuncs.com',
  'cn-shanghai-inner': 'vpc.aliyuncs.com',
  'cn-shanghai-internal-test-1': 'vpc-pre.cn-hangzhou.aliyuncs.com',
  'cn-shenzhen-inner': 'vpc.aliyuncs.com',
  'cn-shenzhen-st4-d01': 'vpc.aliyuncs.com',
  'cn-shenzhen-su18-b01': 'vpc.aliyuncs.com',
  'cn-wuhan': 'vpc.aliyuncs.com',
  'cn-yushanfang': 'vpc.aliyuncs.com',
  'cn-zhangbei': 'vpc.aliyuncs.com',
  'cn-zhangbei-na61-b01': 'vpc.aliyuncs.com',
  'cn-zhangjiakou-na62-a01': 'vpc.cn-zhangjiakou.aliyuncs.com',
  'cn-zhengzhou-nebula-1': 'vpc-nebula.cn-qingdao-nebula.aliyuncs.com',
  'eu-west-1-oxs': 'vpc-nebula.cn-shenzhen-cloudstone.aliyuncs.com',
  'rus-west-1-pop': 'vpc.aliyuncs.com',
};

/** Public regions from the endpoints pages (the regional rule gives their Vpc host). */
export const PUBLIC_REGIONS: readonly string[] = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-southeast-8',
  'cn-beijing',
  'cn-beijing-finance-1',
  'cn-chengdu',
  'cn-fuzhou',
  'cn-guangzhou',
  'cn-hangzhou',
  'cn-hangzhou-finance',
  'cn-heyuan',
  'cn-hongkong',
  'cn-huhehaote',
  'cn-nanjing',
  'cn-north-2-gov-1',
  'cn-qingdao',
  'cn-shanghai',
  'cn-shanghai-finance-1',
  'cn-shenzhen',
  'cn-shenzhen-finance-1',
  'cn-wuhan-lr',
  'cn-wulanchabu',
  'cn-zhangjiakou',
  'cn-zhengzhou-jva',
  'cn-zhongwei',
  'eu-central-1',
  'eu-west-1',
  'me-central-1',
  'me-east-1',
  'na-south-1',
  'us-east-1',
  'us-west-1',
];

/** Every region id the tool accepts in a policy, sorted. */
export const REGION_IDS: readonly string[] = [...new Set([...PUBLIC_REGIONS, ...Object.keys(VPC_ENDPOINT_MAP)])].sort();

const KNOWN: ReadonlySet<string> = new Set(REGION_IDS);

export function isKnownRegion(id: string): boolean {
  return KNOWN.has(id);
}

/** Known region ids near a misspelt one, closest first (`cn-hangzou` -> `cn-hangzhou`). */
export function regionsNear(id: string): string[] {
  return nearMisses(id, REGION_IDS, 3);
}

/** The Vpc 2016-04-28 host for a region, as the SDK chooses it: its map, else `vpc.<region>.aliyuncs.com`. */
export function vpcHost(region: string): string {
  return VPC_ENDPOINT_MAP[region] ?? `vpc.${region}.aliyuncs.com`;
}
