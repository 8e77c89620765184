/**
 * The cloud's error answers, as this emulator gives them. Written from the reference (alibaba-openapi.md
 * section 7), not from lib/: the two walls keep the engine's classification honest.
 *
 * Codes marked `guess` are not on any page we could find for that exact action; the comment says what the
 * choice leans on. Every code here is reachable from some action (see test/unit/emulator-state.test.ts).
 */

/** An action refused as a whole: the state applies nothing and answers `{Code, Message}` with `status`. */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

export const fail = (code: string, message: string, status = 400): never => {
  throw new CloudError(code, message, status);
};

/** Error codes per product and failure mode. */
export const CODES = {
  VpcIpam: {
    // Table 7.1 (help.aliyun.com/en/vpc/developer-reference/api-vpcipam-2023-02-28-untagresources), complete.
    missingResourceIds: ['MissingParameter.ResourceIds', 400],
    missingResourceType: ['MissingParameter.ResourceType', 400],
    tooManyResourceIds: ['IllegalParamSize.ResourceIds', 400],
    tooManyTags: ['IllegalParamSize.Tags', 400],
    badResourceType: ['IllegalParam.ResourceType', 400],
    missingTags: ['MissingParameter.Tags', 400],
    badTagKey: ['IllegalParam.TagKey', 400],
    reservedTagKey: ['IllegalParam.TagKey', 400],
    duplicatedTagKey: ['DuplicatedParam.TagKey', 400], // product-wide page
    // The VPC product-wide page lists IllegalParam.TagValue for the same family.
    badTagValue: ['IllegalParam.TagValue', 400],
    // guess: the IPAM TagResources page says an error is returned at 20 tags but names no code (searched the
    // docs corpus: api-vpcipam-2023-02-28-tagresources shows no error table). Vpc's sibling
    // ListTagResourcesForExpressConnect page documents QuotaExceeded.TagNum 400 for "Custom Tags quota exceeded".
    tagQuota: ['QuotaExceeded.TagNum', 400],
    // guess: the IPAM ListTagResources page says one of ResourceId.N / Tag.N is required but names no code;
    // BothEmpty.TagsAndResources is the VPC family's code for it (VpcPeer 400, Vpc ExpressConnect 403).
    bothEmpty: ['BothEmpty.TagsAndResources', 400],
    tagValueWithoutKey: ['IllegalParam.TagKey', 400],
  },
  VpcPeer: {
    // Table 7.2 (alibabacloud.com/help/en/vpc/developer-reference/api-vpcpeer-2022-01-01-untagresources), complete.
    tooManyTags: ['NumberExceed.Tags', 400],
    tagQuota: ['NumberExceed.Tags', 400], // reference section 3: VpcPeer over 20 tags per resource
    tooManyResourceIds: ['NumberExceed.ResourceIds', 400],
    reservedTagKey: ['Forbidden.TagKeys', 400],
    duplicatedTagKey: ['Forbidden.TagKey.Duplicated', 400],
    notFound: ['InvalidInstanceIds.NotFound', 400],
    badResourceType: ['InvalidInstanceType.NotFound', 400],
    missingResourceType: ['InvalidInstanceType.NotFound', 400],
    // Product error page (api-vpcpeer-2022-01-01-errorcodes): IllegalParam.TagKey / TagValue, 400.
    badTagKey: ['IllegalParam.TagKey', 400],
    badTagValue: ['IllegalParam.TagValue', 400],
    // guess: no code listed for a missing ResourceId.N (the SDK marks it required).
    missingResourceIds: ['MissingParameter.ResourceId', 400],
    missingTags: ['MissingParameter.Tag', 400],
    // ListTagResources page: InvalidTagKey, BothEmpty.TagsAndResources (400; also on the product error page).
    // BothEmpty stays unreachable here: VpcPeer lists without filters (its ResourceId/Tag filters are deprecated
    // in the latest SDK, DESIGN.md relies on it).
    tagValueWithoutKey: ['InvalidTagKey', 400],
    bothEmpty: ['BothEmpty.TagsAndResources', 400],
  },
  Vpc: {
    // Per-API page: InvalidTagKey 400; product page: IllegalParam.TagKey / TagValue, MissingParam.TagKey 400.
    badTagKey: ['InvalidTagKey', 400],
    reservedTagKey: ['IllegalParam.TagKey', 400],
    badTagValue: ['IllegalParam.TagValue', 400],
    missingTags: ['MissingParam.TagKey', 400],
    // The following come from the sibling Vpc 2016-04-28 page ListTagResourcesForExpressConnect, whose error
    // table is the only Vpc tag table we found with codes for these cases (searched: docs + code corpora).
    tooManyResourceIds: ['SizeLimitExceeded.ResourceId', 400],
    tooManyTags: ['SizeLimitExceeded.TagNum', 400],
    tagQuota: ['QuotaExceeded.TagNum', 400],
    duplicatedTagKey: ['Forbidden.TagKey.Duplicated', 400],
    notFound: ['InvalidInstanceIds.NotFound', 400],
    badResourceType: ['InvalidInstanceType.NotFound', 400],
    bothEmpty: ['BothEmpty.TagsAndResources', 403],
    tagValueWithoutKey: ['InvalidTagKey', 400],
    // guess: not listed.
    missingResourceType: ['MissingParameter.ResourceType', 400],
    missingResourceIds: ['MissingParameter.ResourceId', 400],
  },
} as const satisfies Record<string, Record<string, readonly [string, number]>>;

export type Failure = keyof (typeof CODES)['VpcIpam'] | keyof (typeof CODES)['VpcPeer'] | keyof (typeof CODES)['Vpc'];

/** Codes shared by every product. */
export const COMMON = {
  // Reference 7.4 says InvalidApi.NotFound; emu-gateway found the current POP gateway answers
  // InvalidAction.NotFound (404) and refuses unknown actions with it before dispatch: same code here.
  unknownAction: ['InvalidAction.NotFound', 404],
  // IllegalParam.NextToken / IllegalParam.MaxResults (400) are the VPC family's pagination codes: Cbn
  // ListTransitRouterRouteTablePropagations and several Vpc 2016-04-28 list pages document both (found with
  // the code corpus), and the VpcPeer product error page lists the generic `IllegalParam.%s` ("The param of
  // %s is illegal", 400; alibabacloud.com/help/en/vpc/developer-reference/api-vpcpeer-2022-01-01-errorcodes).
  // The IPAM list pages name no code for them: a guess there.
  badNextToken: ['IllegalParam.NextToken', 400],
  badMaxResults: ['IllegalParam.MaxResults', 400],
  // guess: Describe* page sizes out of 1..50; no code documented.
  badPageSize: ['IllegalParam.PageSize', 400],
  badPageNumber: ['IllegalParam.PageNumber', 400],
  // guess: a RegionId is required by every action here; the gateway normally fills it from the SDK.
  missingRegion: ['MissingParameter.RegionId', 400],
  // guess: DescribeVpcs VpcId (<= 20 ids), typed-list id filters (<= 100).
  tooManyFilterIds: ['IllegalParamSize.Ids', 400],
  // describeDeepPaging=throttle: the code the DescribeVSwitches page names ("may return
  // Throttling.DeepPageSkip during deep paging or frequent page skipping"); its status is a guess.
  deepPageSkip: ['Throttling.DeepPageSkip', 400],
} as const satisfies Record<string, readonly [string, number]>;

type ProductCodes = (typeof CODES)[keyof typeof CODES];

/** Fail with a product's code for a failure mode. */
export function refuse(codes: ProductCodes, failure: string, message: string): never {
  const entry = (codes as Record<string, readonly [string, number]>)[failure];
  if (!entry) throw new Error(`no code for ${failure}`);
  return fail(entry[0], message, entry[1]);
}

export function refuseCommon(failure: keyof typeof COMMON, message: string): never {
  const [code, status] = COMMON[failure];
  return fail(code, message, status);
}
