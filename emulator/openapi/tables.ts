/**
 * The emulated cloud's own tables: products, resource types, per-call limits and tag-key rules. Written from
 * /work/shared/reference/alibaba-openapi.md sections 1-5 (the emulator never reads lib/catalog.ts).
 */
import type { ProductName } from '../contracts.ts';
import { CODES } from './cloud-errors.ts';

export const API_VERSIONS = {
  VpcIpam: '2023-02-28',
  VpcPeer: '2022-01-01',
  Vpc: '2016-04-28',
} as const satisfies Record<ProductName, string>;

/** Resource types per product, with the id prefix the generator and demo use. */
export const RESOURCE_TYPES = {
  IPAM: { product: 'VpcIpam', idPrefix: 'ipam-' },
  IPAMSCOPE: { product: 'VpcIpam', idPrefix: 'ipam-scope-' },
  IPAMPOOL: { product: 'VpcIpam', idPrefix: 'ipam-pool-' },
  PeerConnection: { product: 'VpcPeer', idPrefix: 'pcc-' },
  VPC: { product: 'Vpc', idPrefix: 'vpc-' },
  VSWITCH: { product: 'Vpc', idPrefix: 'vsw-' },
  ROUTETABLE: { product: 'Vpc', idPrefix: 'vtb-' },
  EIP: { product: 'Vpc', idPrefix: 'eip-' },
  VPNGATEWAY: { product: 'Vpc', idPrefix: 'vpn-' },
  NATGATEWAY: { product: 'Vpc', idPrefix: 'ngw-' },
  COMMONBANDWIDTHPACKAGE: { product: 'Vpc', idPrefix: 'cbwp-' },
  PREFIXLIST: { product: 'Vpc', idPrefix: 'pl-' },
  PUBLICIPADDRESSPOOL: { product: 'Vpc', idPrefix: 'pippool-' },
  IPV4GATEWAY: { product: 'Vpc', idPrefix: 'ipv4gw-' },
  IPV6GATEWAY: { product: 'Vpc', idPrefix: 'ipv6gw-' },
  NETWORKACL: { product: 'Vpc', idPrefix: 'nacl-' },
  TRAFFICMIRRORFILTER: { product: 'Vpc', idPrefix: 'tmf-' },
  TRAFFICMIRRORSESSION: { product: 'Vpc', idPrefix: 'tms-' },
  FLOWLOG: { product: 'Vpc', idPrefix: 'fl-' },
  HAVIP: { product: 'Vpc', idPrefix: 'havip-' },
  DHCPOPTIONSSET: { product: 'Vpc', idPrefix: 'dopt-' },
  GATEWAYENDPOINT: { product: 'Vpc', idPrefix: 'vpce-' },
  IPV6ADDRESS: { product: 'Vpc', idPrefix: 'ipv6-' },
} as const satisfies Record<string, { product: ProductName; idPrefix: string }>;

export type ResourceTypeName = keyof typeof RESOURCE_TYPES;

export function typesOf(product: ProductName): string[] {
  return Object.entries(RESOURCE_TYPES)
    .filter(([, t]) => t.product === product)
    .map(([n]) => n);
}

export function idPrefixOf(type: string): string {
  return (RESOURCE_TYPES as Record<string, { idPrefix: string }>)[type]?.idPrefix ?? `${type.toLowerCase()}-`;
}

/** Per-product rules for the tag actions (reference sections 2-5). */
export interface TagRules {
  product: ProductName;
  codes: (typeof CODES)[ProductName];
  /** `ResourceType` matched case-insensitively (Vpc), else exactly. */
  typeCaseInsensitive: boolean;
  untagMaxIds: number;
  untagMaxKeys: number;
  tagMaxIds: number;
  tagMaxTags: number;
  listMaxIds: number;
  listMaxTags: number;
  maxTagsPerResource: number;
  keyMaxLength: number;
  valueMaxLength: number;
  /** VpcIpam: a key starts with a letter (or CJK character) and holds letters, digits, `.`, `_`, `-`. */
  keyCharset?: RegExp;
  /** Untag with no TagKey and no All=true: refused (VpcIpam's `MissingParameter.Tags`) or a no-op. */
  untagNeedsKeys: boolean;
  /** ListTagResources refuses a call with neither ResourceId.N nor Tag.N (VpcIpam, Vpc). */
  listNeedsFilter: boolean;
  listMaxResults: { min: number; max: number; default: number };
  /** The not-found code per resource type (VpcIpam names the type; others one code). */
  notFound: (type: string) => readonly [string, number];
}

const reservedPrefixes = ['aliyun', 'acs:'] as const;
export const isReservedKey = (key: string): boolean => reservedPrefixes.some((p) => key.startsWith(p));
export const hasUrl = (s: string): boolean => s.includes('http://') || s.includes('https://');

export const TAG_RULES: Record<ProductName, TagRules> = {
  VpcIpam: {
    product: 'VpcIpam',
    codes: CODES.VpcIpam,
    typeCaseInsensitive: false,
    untagMaxIds: 20,
    untagMaxKeys: 20,
    // IPAM TagResources: metadata allows 51 ids; the page does not say. 50 like its ListTagResources (zh page).
    tagMaxIds: 50,
    tagMaxTags: 20,
    listMaxIds: 50,
    listMaxTags: 20,
    maxTagsPerResource: 20,
    keyMaxLength: 64,
    valueMaxLength: 128,
    keyCharset: /^[\p{L}][\p{L}\p{N}._-]*$/u,
    untagNeedsKeys: true,
    listNeedsFilter: true,
    listMaxResults: { min: 1, max: 50, default: 10 },
    notFound: (type) =>
      type === 'IPAMPOOL'
        ? (['ResourceNotFound.IpamPool', 404] as const)
        : type === 'IPAMSCOPE'
          ? (['ResourceNotFound.IpamScope', 400] as const)
          : (['ResourceNotFound.Ipam', 400] as const),
  },
  VpcPeer: {
    product: 'VpcPeer',
    codes: CODES.VpcPeer,
    typeCaseInsensitive: false,
    untagMaxIds: 20,
    untagMaxKeys: 20,
    tagMaxIds: 20,
    tagMaxTags: 20,
    listMaxIds: 50,
    listMaxTags: 20,
    maxTagsPerResource: 20,
    keyMaxLength: 128,
    valueMaxLength: 128,
    untagNeedsKeys: false,
    listNeedsFilter: false,
    listMaxResults: { min: 1, max: 50, default: 50 },
    notFound: () => CODES.VpcPeer.notFound,
  },
  Vpc: {
    product: 'Vpc',
    codes: CODES.Vpc,
    typeCaseInsensitive: true,
    // SDK 7.3.2 and the zh docs: 50 ids on untag (older en docs 20).
    untagMaxIds: 50,
    untagMaxKeys: 20,
    tagMaxIds: 50,
    tagMaxTags: 20,
    listMaxIds: 50,
    listMaxTags: 20,
    maxTagsPerResource: 20,
    keyMaxLength: 128,
    valueMaxLength: 128,
    untagNeedsKeys: true,
    listNeedsFilter: true,
    listMaxResults: { min: 1, max: 50, default: 50 },
    notFound: () => CODES.Vpc.notFound,
  },
};

/** Typed lists: MaxResults range/default, filter-id cap (reference section 4). */
export const TYPED_LIST = {
  // ListIpamScopes takes at most 20 IpamScopeIds (shared/reference/open-points.md, SDK metadata audit).
  ipam: { min: 1, max: 100, default: 10, maxIds: 100, maxScopeIds: 20, maxTags: 20 },
  // ListVpcPeerConnections Tags.N: "You can specify at most 20 tag keys" (alibabacloud-go vpcpeer-20220101
  // client.go, ListVpcPeerConnectionsRequestTags).
  peer: { min: 1, max: 100, default: 20, maxVpcIds: 2, maxTags: 20 },
  // DescribeVpcs / DescribeVSwitches page by number (SDK 7.3.2 request models: PageNumber default 1,
  // PageSize max 50 default 10; no NextToken/MaxResults in those models).
  describe: { maxPageSize: 50, defaultPageSize: 10, maxVpcIds: 20 },
} as const;

export const DEFAULT_REGION = 'cn-hangzhou';
