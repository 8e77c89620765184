/**
 * The one table of everything the engine knows about the cloud: products, resource types, actions,
 * versions, endpoints, per-call limits, tag-key rules, ClientToken support, published quotas and the
 * error-code classification. Read everywhere from here; tests lower the tuning (e.g. batch size 2)
 * through `withTuning`. Facts: shared/reference/alibaba-openapi.md.
 *
 * The emulator keeps its own copy of these facts on purpose (DESIGN.md, "two walls").
 */

import { vpcHost } from './regions.ts';

export const PRODUCTS = {
  VpcIpam: {
    version: '2023-02-28',
    untagAction: 'UntagResources',
    listTagsAction: 'ListTagResources',
    /** Puts tags back (restore); takes a ClientToken where untag does. */
    tagAction: 'TagResources',
    /** `regional`: one host per region. */
    endpoint: (region: string) => `vpcipam.${region}.aliyuncs.com`,
    clientToken: false,
    maxKeyLength: 64,
    keyMustStartWithLetter: true,
    listTagResourcesPageSize: 50,
    requiresListFilter: true,
  },
  VpcPeer: {
    version: '2022-01-01',
    untagAction: 'UnTagResources',
    listTagsAction: 'ListTagResources',
    tagAction: 'TagResources',
    /** `central`: one host; the region travels in `RegionId`. */
    endpoint: (_region: string) => 'vpcpeer.aliyuncs.com',
    clientToken: true,
    maxKeyLength: 128,
    keyMustStartWithLetter: false,
    listTagResourcesPageSize: 50,
    requiresListFilter: false,
  },
  Vpc: {
    version: '2016-04-28',
    untagAction: 'UnTagResources',
    listTagsAction: 'ListTagResources',
    tagAction: 'TagResources',
    /** The SDK's own choice: its endpoint map, else `vpc.<region>.aliyuncs.com` (lib/regions.ts). */
    endpoint: (region: string) => vpcHost(region),
    clientToken: false,
    maxKeyLength: 128,
    keyMustStartWithLetter: false,
    listTagResourcesPageSize: 50,
    requiresListFilter: true,
  },
} as const;

export type ProductId = keyof typeof PRODUCTS;

/**
 * A typed list action that returns every resource of a type with its tags inline, so a pattern policy
 * or `remove.all` can see resources whose keys it cannot name in advance.
 */
export interface TypedLister {
  action: string;
  /** Field of the response holding the items. */
  itemsField: string;
  /** Field of an item holding its id. */
  idField: string;
  /** Field of an item holding its tags as `[{Key, Value}]`. */
  tagsField: string;
  maxResults: number;
  /** Parameters that travel in a form body rather than the query (VpcPeer ListVpcPeerConnections). */
  bodyParams?: readonly string[];
  /** Vpc's Describe* actions page by number rather than by token. */
  paging: 'token' | 'number';
  /**
   * Field of an item naming the resource's own region when the list is asked in another one (IPAM pools:
   * `PoolRegionId`, while `RegionId` is the IPAM's hosted region under one reading of the docs).
   */
  ownRegionField?: string;
  /** Request parameter that narrows the list to given ids (`IpamPoolIds`, up to 100). */
  idsParam?: string;
}

export interface ResourceTypeEntry {
  product: ProductId;
  /** Prefix of ids of this type (used to map a Config event to a type; unverified in the cloud). */
  idPrefix: string;
  /** Cloud Config resource type names that map to this type. */
  configTypes: readonly string[];
  lister?: TypedLister;
}

const ipamLister = (action: string, itemsField: string, idField: string): TypedLister => ({
  action,
  itemsField,
  idField,
  tagsField: 'Tags',
  maxResults: 100,
  paging: 'token',
});

const vpcType = (idPrefix: string, configTypes: readonly string[] = [], lister?: TypedLister): ResourceTypeEntry =>
  lister ? { product: 'Vpc', idPrefix, configTypes, lister } : { product: 'Vpc', idPrefix, configTypes };

export const RESOURCE_TYPES = {
  IPAM: {
    product: 'VpcIpam',
    idPrefix: 'ipam-',
    configTypes: ['ACS::VPC::IPAM'],
    lister: ipamLister('ListIpams', 'Ipams', 'IpamId'),
  },
  IPAMSCOPE: {
    product: 'VpcIpam',
    idPrefix: 'ipam-scope-',
    configTypes: ['ACS::VPC::IPAMScope'],
    lister: ipamLister('ListIpamScopes', 'IpamScopes', 'IpamScopeId'),
  },
  IPAMPOOL: {
    product: 'VpcIpam',
    idPrefix: 'ipam-pool-',
    configTypes: ['ACS::VPC::IPAMPool'],
    lister: {
      ...ipamLister('ListIpamPools', 'IpamPools', 'IpamPoolId'),
      ownRegionField: 'PoolRegionId',
      idsParam: 'IpamPoolIds',
    },
  },
  PeerConnection: {
    product: 'VpcPeer',
    idPrefix: 'pcc-',
    configTypes: ['ACS::VPC::PeerConnection', 'ACS::VpcPeer::PeerConnection'],
    lister: {
      action: 'ListVpcPeerConnections',
      itemsField: 'VpcPeerConnects',
      idField: 'InstanceId',
      tagsField: 'Tags',
      maxResults: 100,
      bodyParams: ['RegionId', 'InstanceId', 'Name', 'MaxResults', 'NextToken', 'VpcId'],
      paging: 'token',
    },
  },
  VPC: vpcType('vpc-', ['ACS::VPC::VPC'], {
    action: 'DescribeVpcs',
    itemsField: 'Vpcs.Vpc',
    idField: 'VpcId',
    tagsField: 'Tags.Tag',
    maxResults: 50,
    paging: 'number',
  }),
  VSWITCH: vpcType('vsw-', ['ACS::VPC::VSwitch'], {
    action: 'DescribeVSwitches',
    itemsField: 'VSwitches.VSwitch',
    idField: 'VSwitchId',
    tagsField: 'Tags.Tag',
    maxResults: 50,
    paging: 'number',
  }),
  ROUTETABLE: vpcType('vtb-', ['ACS::VPC::RouteTable']),
  EIP: vpcType('eip-', ['ACS::EIP::EipAddress', 'ACS::VPC::EIP']),
  // Cloud Config files NAT gateways under the NAT product (shared/reference/open-points.md, corrected facts).
  NATGATEWAY: vpcType('ngw-', ['ACS::NAT::NatGateway']),
  VPNGATEWAY: vpcType('vpn-', ['ACS::VPN::VpnGateway', 'ACS::VPC::VpnGateway']),
  COMMONBANDWIDTHPACKAGE: vpcType('cbwp-', ['ACS::VPC::CommonBandwidthPackage']),
  PREFIXLIST: vpcType('pl-'),
  PUBLICIPADDRESSPOOL: vpcType('pippool-'),
  IPV4GATEWAY: vpcType('ipv4gw-'),
  IPV6GATEWAY: vpcType('ipv6gw-'),
  NETWORKACL: vpcType('nacl-'),
  TRAFFICMIRRORFILTER: vpcType('tmf-'),
  TRAFFICMIRRORSESSION: vpcType('tms-'),
  FLOWLOG: vpcType('fl-'),
  HAVIP: vpcType('havip-'),
  DHCPOPTIONSSET: vpcType('dopt-'),
  GATEWAYENDPOINT: vpcType('vpce-'),
  IPV6ADDRESS: vpcType('ipv6-'),
} as const satisfies Record<string, ResourceTypeEntry>;

export type ResourceType = keyof typeof RESOURCE_TYPES;
export const RESOURCE_TYPE_NAMES = Object.keys(RESOURCE_TYPES) as ResourceType[];

export function isResourceType(name: string): name is ResourceType {
  return Object.hasOwn(RESOURCE_TYPES, name);
}

export function productOf(type: ResourceType): ProductId {
  return RESOURCE_TYPES[type].product;
}

export function listerOf(type: ResourceType): TypedLister | undefined {
  const entry: ResourceTypeEntry = RESOURCE_TYPES[type];
  return entry.lister;
}

/**
 * Facts of the untag and list APIs, per call (reference/alibaba-openapi.md); tests lower them to exercise
 * chunking. Batch at 20 x 20 for every API: the documented limit is the one that holds.
 */
export interface CallFacts {
  maxIdsPerCall: number;
  maxKeysPerCall: number;
  /** Ids per ListTagResources call when listing by explicit ids. */
  maxIdsPerListCall: number;
  /** Tags a resource may carry. */
  maxTagsPerResource: number;
}

/**
 * The operator's tuning of the engine (`VPC_TAG_CLEANUP_LIMITS`, `RunDeps.limits`), not to be confused with
 * the policy's `limits` (`maxResources`, `concurrency`: what the policy's author allows).
 */
export interface EngineTuning {
  /** Default write calls in flight for one run (policy `limits.concurrency` overrides). */
  defaultConcurrency: number;
  /** List calls in flight for one run, and (region, type) units listing at once; listing has its own limiter (never nested with writes). */
  listConcurrency: number;
  /** Retries after the first try, for retryable errors. */
  maxRetries: number;
  /** First backoff delay and cap, ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** SDK connect and read timeouts, ms (openapi-core defaults to 3 s each; set both). */
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Stop scheduling this long before the FC timeout. */
  deadlineMarginMs: number;
  /**
   * Every cloud call ends this long before the FC timeout (at most half the margin): the time kept for
   * the report and the continuation once the last call is cut. Calls are bounded by the time left.
   */
  deadlineReserveMs: number;
  /** Calls in a row answered "connection refused" or "host not found" before the run stops (ENDPOINT_UNREACHABLE). */
  unreachableAttempts: number;
  /** Resources listed in the returned report; the full list goes to the log. */
  reportResourceCap: number;
  /** Share of a short FC timeout kept as the deadline margin when `deadlineMarginMs` would eat it. */
  deadlineMarginShare: number;
  /** A run continued this many times stops continuing and reports (guards a run that makes no progress). */
  maxContinuationHops: number;
  /** Resources per JSON line when the full resource list is written to the log. */
  logResourcesPerLine: number;
  /**
   * Selections the planner buffers per (region, type) before it must emit a batch. Everything buffered is
   * still written after the deadline fires, so this bounds the work done inside the deadline margin.
   */
  planBufferSize: number;
  /**
   * Many-account runs (policy `accounts`): (account, region) shards running at once in one process. Shards
   * of different accounts share no quota, so a bound near the shard count keeps wall time near one shard's.
   */
  accountShardConcurrency: number;
  /** Re-assume a member's role this long before its STS credentials expire (capped at half their life). */
  accountRefreshMarginMs: number;
}

/**
 * What the engine reads (`withTuning`): the API's per-call facts and the operator's tuning, one object
 * overridable field by field (`VPC_TAG_CLEANUP_LIMITS`, `RunDeps.tuning`). Never the policy's `limits`.
 */
export interface Tuning extends CallFacts, EngineTuning {}

/** The documented per-call facts (reference/alibaba-openapi.md): an override may lower them, never raise them. */
export const CALL_FACTS: Readonly<CallFacts> = Object.freeze({
  maxIdsPerCall: 20,
  maxKeysPerCall: 20,
  maxIdsPerListCall: 20,
  maxTagsPerResource: 20,
});

/** The engine's defaults, for an operator to tune. */
export const ENGINE_TUNING: Readonly<EngineTuning> = Object.freeze({
  defaultConcurrency: 8,
  listConcurrency: 4,
  maxRetries: 6,
  retryBaseMs: 200,
  retryMaxMs: 10_000,
  connectTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  deadlineMarginMs: 20_000,
  deadlineReserveMs: 2_000,
  unreachableAttempts: 3,
  reportResourceCap: 1_000,
  deadlineMarginShare: 0.2,
  maxContinuationHops: 10_000,
  logResourcesPerLine: 500,
  planBufferSize: 2_000,
  accountShardConcurrency: 128,
  accountRefreshMarginMs: 300_000,
});

export const TUNING: Readonly<Tuning> = Object.freeze({ ...CALL_FACTS, ...ENGINE_TUNING });

/**
 * Caps on a policy's size, checked at the edge. Each exact key costs one list stream per (region, Vpc
 * type without a typed list), each 20 resource ids one list call per (region, type); the caps keep a
 * policy's listing cost within what one invocation can afford, and a pasted dump from being accepted.
 */
export const POLICY_CAPS = Object.freeze({
  regions: 64,
  resourceTypes: 64,
  removeKeys: 100,
  keyPatterns: 50,
  protectKeys: 200,
  matchResourceIds: 10_000,
  /** `Tag.N` of the list APIs takes at most 20 pairs. */
  matchTags: 20,
  /** A policy as text (JSON or YAML), UTF-8 bytes. */
  policyBytes: 1_048_576,
});

/** What an override of one limit may be (`VPC_TAG_CLEANUP_LIMITS`): a value outside is reported and ignored. */
export interface TuningRange {
  min: number;
  max?: number;
  /** Counts, sizes and milliseconds are whole numbers; `deadlineMarginShare` is a fraction. */
  integer: boolean;
}

const count = (min: number, max?: number): TuningRange =>
  max === undefined ? { min, integer: true } : { min, max, integer: true };

/**
 * The range of every limit. Ids and keys per call stop at the documented 20 (the cloud refuses more);
 * a concurrency of 0 would never schedule; a timeout of 0 would fail every call.
 */
export const TUNING_RANGES: Readonly<Record<keyof Tuning, TuningRange>> = Object.freeze({
  maxIdsPerCall: count(1, 20),
  maxKeysPerCall: count(1, 20),
  maxIdsPerListCall: count(1, 20),
  maxTagsPerResource: count(1, 20),
  defaultConcurrency: count(1, 64),
  listConcurrency: count(1, 64),
  maxRetries: count(0, 20),
  retryBaseMs: count(0, 60_000),
  retryMaxMs: count(0, 600_000),
  connectTimeoutMs: count(1, 600_000),
  readTimeoutMs: count(1, 600_000),
  deadlineMarginMs: count(0, 86_400_000),
  deadlineReserveMs: count(0, 86_400_000),
  unreachableAttempts: count(1, 100),
  reportResourceCap: count(0),
  deadlineMarginShare: { min: 0, max: 0.9, integer: false },
  maxContinuationHops: count(0),
  logResourcesPerLine: count(1),
  planBufferSize: count(1),
  accountShardConcurrency: count(1, 1024),
  accountRefreshMarginMs: count(0, 3_600_000),
});

export function withTuning(overrides: Partial<Tuning> = {}): Tuning {
  return { ...TUNING, ...overrides };
}

/**
 * Default rate quotas, calls per 60 s, per (account, region, API). Only those in `PUBLISHED_QUOTAS` are
 * on a quota page (shared/reference/open-points.md, "quota rows"); the rest are assumed, taking the
 * product's common value (most IPAM APIs are 300/60 s), and the rate limiter learns the real one.
 */
export const QUOTAS_PER_MINUTE: Readonly<Record<ProductId, Readonly<Record<string, number>>>> = {
  VpcIpam: {
    UntagResources: 300,
    TagResources: 300,
    ListTagResources: 300,
    ListIpams: 300,
    ListIpamScopes: 300,
    ListIpamPools: 800,
  },
  VpcPeer: {
    UnTagResources: 1000,
    TagResources: 1000,
    ListTagResources: 3000,
    ListVpcPeerConnections: 360,
  },
  Vpc: {
    UnTagResources: 300,
    TagResources: 300,
    ListTagResources: 300,
    DescribeVpcs: 300,
    DescribeVSwitches: 300,
  },
};

/** `Product:Action` rows of `QUOTAS_PER_MINUTE` that a quota page states; every other row is assumed. */
export const PUBLISHED_QUOTAS: ReadonlySet<string> = new Set([
  'VpcIpam:UntagResources',
  'VpcIpam:ListTagResources',
  'VpcIpam:ListIpams',
  'VpcIpam:ListIpamPools',
  'VpcPeer:UnTagResources',
  'VpcPeer:TagResources',
  'VpcPeer:ListTagResources',
  'VpcPeer:ListVpcPeerConnections',
  'Vpc:TagResources',
]);

export function isAssumedQuota(product: ProductId, action: string): boolean {
  return !PUBLISHED_QUOTAS.has(`${product}:${action}`);
}

export function quotaPerMinute(product: ProductId, action: string): number {
  return QUOTAS_PER_MINUTE[product][action] ?? 300;
}

/** Tag-key rules that hold for every product. */
export const RESERVED_KEY_PREFIXES = ['aliyun', 'acs:'] as const;

export function isReservedKey(key: string): boolean {
  const lower = key.toLowerCase();
  return RESERVED_KEY_PREFIXES.some((p) => lower.startsWith(p));
}

/** Why `key` cannot be sent to `product`'s untag API, or undefined when it can. */
export function keyRuleViolation(product: ProductId, key: string): string | undefined {
  const rules = PRODUCTS[product];
  if (key.length === 0) return 'is empty';
  if (key.length > rules.maxKeyLength) return `is longer than ${rules.maxKeyLength} characters (${product})`;
  if (isReservedKey(key)) return `starts with a reserved prefix (${RESERVED_KEY_PREFIXES.join(', ')})`;
  if (/https?:\/\//i.test(key)) return 'contains http:// or https://';
  if (rules.keyMustStartWithLetter && !/^[\p{L}]/u.test(key)) return `must start with a letter (${product})`;
  if (rules.keyMustStartWithLetter && !/^[\p{L}\p{N}._\-\p{Script=Han}]+$/u.test(key))
    return `may hold only letters, digits, '.', '_' and '-' (${product})`;
  return undefined;
}

/**
 * Error classification by code (not status), after terraform-provider-alicloud `NeedRetry` and
 * smithy's service-error-classification tables.
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ServiceUnavailable',
  'InternalError',
  'UnknownError',
  'SystemBusy',
  'OperationConflict',
  'TaskConflict',
  'Conflict.Operation',
  'OperationFailed.ConcurrentOperation',
  'LastTokenProcessing',
  'OperationFailed.LastTokenProcessing',
  'OperationFailed.IdempotentTokenProcessing',
  'SignatureNonceUsed',
  'IncorrectVpcStatus',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'RequestTimeoutError',
  'ConnectTimeout',
  'ReadTimeout',
  'SyntaxError',
]);

export const RETRYABLE_CODE_PREFIXES = ['Throttling', 'IncorrectStatus'] as const;

/** Codes that say a resource no longer exists: salvage the rest of its batch, report it as gone. */
export const NOT_FOUND_CODE_PATTERNS: readonly RegExp[] = [
  /^ResourceNotFound\./,
  /^InvalidInstanceIds\.NotFound$/,
  /^InvalidResourceId\.NotFound$/,
  /^InvalidInstanceId\.NotFound$/,
];

/** Codes that say a batch was too large: split it. */
export const BATCH_TOO_LARGE_CODE_PATTERNS: readonly RegExp[] = [/^NumberExceed\./, /^IllegalParamSize\./];

/**
 * Codes that say a TagResources call would take a resource over its tag limit (VpcPeer answers
 * `NumberExceed.Tags`; VpcIpam and Vpc name no code on their pages: the VPC family's `QuotaExceeded.TagNum`).
 */
export const TAG_LIMIT_CODE_PATTERNS: readonly RegExp[] = [
  /^QuotaExceeded\.TagNum$/,
  /^NumberExceed\.Tags$/,
  /^TagQuota/,
];

export function isTagLimitCode(code: string | undefined): boolean {
  return code !== undefined && TAG_LIMIT_CODE_PATTERNS.some((re) => re.test(code));
}

/**
 * Named like throttling, yet a retry of the same call cannot succeed and says nothing about the rate:
 * `Throttling.DeepPageSkip` refuses a skipped-to page ("use sequential paging", DescribeVSwitches page).
 */
export const NOT_RATE_CODES: ReadonlySet<string> = new Set(['Throttling.DeepPageSkip']);

/** Relisting passes of a page-numbered list the run's own writes shift, before the unit gives up. */
export const RELIST_MAX_PASSES = 16;

export function isThrottlingCode(code: string | undefined): boolean {
  if (code !== undefined && NOT_RATE_CODES.has(code)) return false;
  return code?.includes('Throttling') ?? false;
}

export function isRetryableCode(code: string | undefined, statusCode?: number): boolean {
  if (code === undefined) return statusCode !== undefined && statusCode >= 500;
  if (NOT_RATE_CODES.has(code)) return false;
  if (code.includes('Throttling')) return true;
  if (RETRYABLE_CODES.has(code)) return true;
  if (RETRYABLE_CODE_PREFIXES.some((p) => code.startsWith(p))) return true;
  return statusCode !== undefined && statusCode >= 500;
}

export function isNotFoundCode(code: string | undefined): boolean {
  return code !== undefined && NOT_FOUND_CODE_PATTERNS.some((re) => re.test(code));
}

export function isBatchTooLargeCode(code: string | undefined): boolean {
  return code !== undefined && BATCH_TOO_LARGE_CODE_PATTERNS.some((re) => re.test(code));
}

/**
 * Codes after which a write may have been applied although no success came back: the request may have
 * reached the cloud (a reset or timeout after sending, a garbled answer, a server error). After such an
 * attempt a batch that does not end in success is read back before anything is reported.
 */
export const OUTCOME_UNKNOWN_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ReadTimeout',
  'RequestTimeoutError',
  'SyntaxError',
  'InternalError',
  'ServiceUnavailable',
  'UnknownError',
  'SystemBusy',
]);

/**
 * Codes that say an earlier request with the same ClientToken is still being processed (alibaba-openapi.md
 * §6: retry later with the same token): that request may yet be applied, and a later retry replays its answer.
 */
export const TOKEN_PENDING_CODES: ReadonlySet<string> = new Set([
  'LastTokenProcessing',
  'OperationFailed.LastTokenProcessing',
  'OperationFailed.IdempotentTokenProcessing',
]);

export function isTokenPendingCode(code: string | undefined): boolean {
  return code !== undefined && TOKEN_PENDING_CODES.has(code);
}

export function isOutcomeUnknownCode(code: string | undefined, statusCode?: number): boolean {
  if (code !== undefined && OUTCOME_UNKNOWN_CODES.has(code)) return true;
  return statusCode !== undefined && statusCode >= 500;
}

/**
 * Parameter errors that name a tag key or a resource id (`IllegalParam.TagKey`, `InvalidTagKey`,
 * `Forbidden.TagKeys`, ...): one key or one id refused fails the whole call, so the batch is split to
 * isolate it, as on not-found. A cloud that refuses a key a resource lacks answers these too.
 */
export const SPLIT_PARAM_CODE_PATTERNS: readonly RegExp[] = [/TagKey/i, /ResourceId/i];

export function isSplitParamCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    !isNotFoundCode(code) &&
    !isBatchTooLargeCode(code) &&
    SPLIT_PARAM_CODE_PATTERNS.some((re) => re.test(code))
  );
}

/**
 * Codes that say the caller's credentials or permissions are refused: no other call of the run can do
 * better, so the run stops at the first such answer (`AUTH_FAILED`). `Forbidden.TagKeys` and the like
 * (a refused key) are not among them.
 */
export const AUTH_FAILURE_CODE_PATTERNS: readonly RegExp[] = [
  /^InvalidAccessKeyId(\..+)?$/,
  /^SignatureDoesNotMatch$/,
  /^IncompleteSignature$/,
  /^InvalidSecurityToken(\..+)?$/,
  /^InvalidTimeStamp\.Expired$/,
  /^Forbidden(\.RAM|\.NoPermission|\.AccessKeyDisabled|\.Unauthorized)?$/,
  /^NoPermission(\..+)?$/,
];

export function isAuthFailureCode(code: string | undefined): boolean {
  return code !== undefined && AUTH_FAILURE_CODE_PATTERNS.some((re) => re.test(code));
}

/** Network codes that say the endpoint cannot be reached at all (not a slow or dropped call). */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isUnreachableCode(code: string | undefined): boolean {
  return code !== undefined && UNREACHABLE_CODES.has(code);
}
