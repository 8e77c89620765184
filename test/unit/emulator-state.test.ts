import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiAnswer, ProductName } from '../../emulator/contracts.ts';
import { demoResources } from '../../emulator/openapi/seed-demo.ts';
import { createCloudState, type LocalCloudState } from '../../emulator/openapi/state.ts';
import { API_VERSIONS } from '../../emulator/openapi/tables.ts';

const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';

let state: LocalCloudState;
const call = (product: ProductName, action: string, params: Record<string, string>): ApiAnswer =>
  state.dispatch({ product, version: API_VERSIONS[product], action, params, accountId: '1234567890' });

/** `ResourceId.1=a&ResourceId.2=b` as the SDK's OpenApiUtil.query flattens an array. */
const list = (name: string, values: readonly string[]): Record<string, string> =>
  Object.fromEntries(values.map((v, i) => [`${name}.${i + 1}`, v]));
const tagParams = (name: string, pairs: ReadonlyArray<readonly [string, string?]>): Record<string, string> =>
  Object.fromEntries(
    pairs.flatMap(([k, v], i) => [
      [`${name}.${i + 1}.Key`, k],
      ...(v === undefined ? [] : [[`${name}.${i + 1}.Value`, v]]),
    ]),
  );
const tagsOf = (type: string, region: string, id: string) =>
  state.list({ type, region }).find((r) => r.id === id)?.tags;
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);

beforeEach(() => {
  state = createCloudState();
  state.upsert([
    { type: 'IPAM', region: HZ, id: 'ipam-0001', tags: { CostCenter: 'cc1', owner: 'a', 'acs:rm:rgId': 'rg-1' } },
    { type: 'IPAMSCOPE', region: HZ, id: 'ipam-scope-0001', tags: { CostCenter: 'cc1' } },
    { type: 'IPAMPOOL', region: HZ, id: 'ipam-pool-0001', tags: { CostCenter: 'cc1', env: 'dev', 'tmp-x': '1' } },
    { type: 'IPAMPOOL', region: HZ, id: 'ipam-pool-0002', tags: { CostCenter: 'cc2', env: 'prod' } },
    { type: 'IPAMPOOL', region: SH, id: 'ipam-pool-0003', tags: { CostCenter: 'cc3' } },
    { type: 'PeerConnection', region: HZ, id: 'pcc-0001', tags: { CostCenter: 'cc1', 'aliyun:sys': 'x', team: 'net' } },
    { type: 'PeerConnection', region: HZ, id: 'pcc-0002', tags: { team: 'net' } },
    { type: 'VPC', region: HZ, id: 'vpc-0001', tags: { CostCenter: 'cc1', env: 'dev' } },
    { type: 'VSWITCH', region: HZ, id: 'vsw-0001', tags: { CostCenter: 'cc1' } },
    { type: 'ROUTETABLE', region: HZ, id: 'vtb-0001', tags: { CostCenter: 'cc1' } },
  ]);
});

describe('VpcIpam UntagResources', () => {
  const untag = (extra: Record<string, string>) =>
    call('VpcIpam', 'UntagResources', { RegionId: HZ, ResourceType: 'IPAMPOOL', ...extra });

  it('removes the named keys, treats an absent key and an empty key as no-ops, and answers an empty body', () => {
    const a = untag({
      ...list('ResourceId', ['ipam-pool-0001', 'ipam-pool-0002']),
      ...list('TagKey', ['CostCenter', 'absent', '']),
    });
    expect(a).toEqual({ status: 200, body: {} });
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0001')).toEqual({ env: 'dev', 'tmp-x': '1' });
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0002')).toEqual({ env: 'prod' });
  });

  it('removes every non-reserved tag with All=true', () => {
    const a = call('VpcIpam', 'UntagResources', {
      RegionId: HZ,
      ResourceType: 'IPAM',
      'ResourceId.1': 'ipam-0001',
      All: 'true',
    });
    expect(a.status).toBe(200);
    expect(tagsOf('IPAM', HZ, 'ipam-0001')).toEqual({ 'acs:rm:rgId': 'rg-1' });
  });

  it('sees tags only in their region', () => {
    const a = untag({ 'ResourceId.1': 'ipam-pool-0003', 'TagKey.1': 'CostCenter' });
    expect(a.body.Code).toBe('ResourceNotFound.IpamPool');
    expect(tagsOf('IPAMPOOL', SH, 'ipam-pool-0003')).toEqual({ CostCenter: 'cc3' });
  });

  const cases: Array<[string, number, Record<string, string>]> = [
    ['MissingParameter.ResourceIds', 400, { ResourceType: 'IPAMPOOL', 'TagKey.1': 'k' }],
    ['MissingParameter.ResourceType', 400, { 'ResourceId.1': 'ipam-pool-0001', 'TagKey.1': 'k' }],
    [
      'IllegalParamSize.ResourceIds',
      400,
      { ResourceType: 'IPAMPOOL', ...list('ResourceId', ids('ipam-pool-', 21)), 'TagKey.1': 'k' },
    ],
    [
      'IllegalParamSize.Tags',
      400,
      { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001', ...list('TagKey', ids('k', 21)) },
    ],
    ['IllegalParam.ResourceType', 400, { ResourceType: 'VPC', 'ResourceId.1': 'ipam-pool-0001', 'TagKey.1': 'k' }],
    ['MissingParameter.Tags', 400, { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001' }],
    [
      'IllegalParam.TagKey',
      400,
      { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001', 'TagKey.1': 'x'.repeat(65) },
    ],
    [
      'IllegalParam.TagKey',
      400,
      { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001', 'TagKey.1': 'acs:rm:rgId' },
    ],
    [
      'IllegalParam.TagKey',
      400,
      { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001', 'TagKey.1': '1starts-with-digit' },
    ],
    [
      'DuplicatedParam.TagKey',
      400,
      { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001', ...list('TagKey', ['env', 'env']) },
    ],
    ['ResourceNotFound.Ipam', 400, { ResourceType: 'IPAM', 'ResourceId.1': 'ipam-9999', 'TagKey.1': 'k' }],
    [
      'ResourceNotFound.IpamScope',
      400,
      { ResourceType: 'IPAMSCOPE', 'ResourceId.1': 'ipam-scope-9999', 'TagKey.1': 'k' },
    ],
    ['ResourceNotFound.IpamPool', 404, { ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-9999', 'TagKey.1': 'k' }],
  ];
  it.each(cases)('answers %s with HTTP %i', (code, status, params) => {
    const a = call('VpcIpam', 'UntagResources', { RegionId: HZ, ...params });
    expect(a.status).toBe(status);
    expect(a.body.Code).toBe(code);
    expect(typeof a.body.Message).toBe('string');
  });

  it('applies nothing when one id of the batch is unknown', () => {
    const a = untag({ ...list('ResourceId', ['ipam-pool-0001', 'ipam-pool-9999']), 'TagKey.1': 'CostCenter' });
    expect(a.status).toBe(404);
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0001')?.CostCenter).toBe('cc1');
  });

  it('accepts 20 ids and 20 keys in one call', () => {
    state.upsert(ids('ipam-pool-1', 20).map((id) => ({ type: 'IPAMPOOL', region: HZ, id, tags: { k0001: 'v' } })));
    const a = untag({ ...list('ResourceId', ids('ipam-pool-1', 20)), ...list('TagKey', ids('k', 20)) });
    expect(a.status).toBe(200);
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-10001')).toEqual({});
  });
});

describe('VpcPeer UnTagResources', () => {
  const base = { RegionId: HZ, ResourceType: 'PeerConnection', ClientToken: 't-1' };

  it('answers Success: true and removes the keys', () => {
    const a = call('VpcPeer', 'UnTagResources', { ...base, 'ResourceId.1': 'pcc-0001', 'TagKey.1': 'CostCenter' });
    expect(a).toEqual({ status: 200, body: { Success: true } });
    expect(tagsOf('PeerConnection', HZ, 'pcc-0001')).toEqual({ 'aliyun:sys': 'x', team: 'net' });
  });

  it('keeps system tags on All=true', () => {
    call('VpcPeer', 'UnTagResources', { ...base, 'ResourceId.1': 'pcc-0001', All: 'true' });
    expect(tagsOf('PeerConnection', HZ, 'pcc-0001')).toEqual({ 'aliyun:sys': 'x' });
  });

  const cases: Array<[string, number, Record<string, string>]> = [
    ['NumberExceed.Tags', 400, { 'ResourceId.1': 'pcc-0001', ...list('TagKey', ids('k', 21)) }],
    ['NumberExceed.ResourceIds', 400, { ...list('ResourceId', ids('pcc-', 21)), 'TagKey.1': 'k' }],
    ['Forbidden.TagKeys', 400, { 'ResourceId.1': 'pcc-0001', 'TagKey.1': 'aliyun:sys' }],
    ['Forbidden.TagKey.Duplicated', 400, { 'ResourceId.1': 'pcc-0001', ...list('TagKey', ['team', 'team']) }],
    ['InvalidInstanceIds.NotFound', 400, { 'ResourceId.1': 'pcc-9999', 'TagKey.1': 'team' }],
    ['InvalidInstanceType.NotFound', 400, { ResourceType: 'VPC', 'ResourceId.1': 'pcc-0001', 'TagKey.1': 'team' }],
  ];
  it.each(cases)('answers %s with HTTP %i', (code, status, params) => {
    const a = call('VpcPeer', 'UnTagResources', { ...base, ...params });
    expect([a.status, a.body.Code]).toEqual([status, code]);
  });

  it('refuses a 129-character key but takes 128', () => {
    expect(
      call('VpcPeer', 'UnTagResources', { ...base, 'ResourceId.1': 'pcc-0001', 'TagKey.1': 'k'.repeat(128) }).status,
    ).toBe(200);
    expect(
      call('VpcPeer', 'UnTagResources', { ...base, 'ResourceId.1': 'pcc-0001', 'TagKey.1': 'k'.repeat(129) }).body.Code,
    ).toBe('IllegalParam.TagKey');
  });
});

describe('Vpc UnTagResources', () => {
  it('works for every Vpc type, takes ResourceType in any case, and up to 50 ids', () => {
    const a = call('Vpc', 'UnTagResources', {
      RegionId: HZ,
      ResourceType: 'routetable',
      'ResourceId.1': 'vtb-0001',
      'TagKey.1': 'CostCenter',
    });
    expect(a).toEqual({ status: 200, body: {} });
    expect(tagsOf('ROUTETABLE', HZ, 'vtb-0001')).toEqual({});
    state.upsert(ids('vpc-1', 50).map((id) => ({ type: 'VPC', region: HZ, id, tags: { a: '1' } })));
    const b = call('Vpc', 'UnTagResources', {
      RegionId: HZ,
      ResourceType: 'VPC',
      ...list('ResourceId', ids('vpc-1', 50)),
      'TagKey.1': 'a',
    });
    expect(b.status).toBe(200);
    const c = call('Vpc', 'UnTagResources', {
      RegionId: HZ,
      ResourceType: 'VPC',
      ...list('ResourceId', ids('vpc-1', 51)),
      'TagKey.1': 'a',
    });
    expect(c.body.Code).toBe('SizeLimitExceeded.ResourceId');
  });

  const cases: Array<[string, number, Record<string, string>]> = [
    ['IllegalParam.TagKey', 400, { 'TagKey.1': 'acs:x' }],
    ['InvalidTagKey', 400, { 'TagKey.1': 'k'.repeat(129) }],
    ['MissingParam.TagKey', 400, {}],
    ['SizeLimitExceeded.TagNum', 400, list('TagKey', ids('k', 21))],
    ['Forbidden.TagKey.Duplicated', 400, list('TagKey', ['a', 'a'])],
    ['InvalidInstanceIds.NotFound', 400, { 'ResourceId.1': 'vpc-9999', 'TagKey.1': 'a' }],
    ['InvalidInstanceType.NotFound', 400, { ResourceType: 'IPAM', 'TagKey.1': 'a' }],
  ];
  it.each(cases)('answers %s with HTTP %i', (code, status, params) => {
    const a = call('Vpc', 'UnTagResources', {
      RegionId: HZ,
      ResourceType: 'VPC',
      'ResourceId.1': 'vpc-0001',
      ...params,
    });
    expect([a.status, a.body.Code]).toEqual([status, code]);
  });
});

describe('TagResources', () => {
  it('adds and overwrites tags on each product', () => {
    const tags = tagParams('Tag', [
      ['new', 'v'],
      ['env', 'stage'],
    ]);
    expect(
      call('VpcIpam', 'TagResources', {
        RegionId: HZ,
        ResourceType: 'IPAMPOOL',
        'ResourceId.1': 'ipam-pool-0001',
        ...tags,
      }),
    ).toEqual({
      status: 200,
      body: {},
    });
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0001')).toMatchObject({ new: 'v', env: 'stage' });
    expect(
      call('VpcPeer', 'TagResources', {
        RegionId: HZ,
        ResourceType: 'PeerConnection',
        'ResourceId.1': 'pcc-0002',
        ...tags,
      }).body,
    ).toEqual({
      Success: true,
    });
    expect(
      call('Vpc', 'TagResources', { RegionId: HZ, ResourceType: 'VSWITCH', 'ResourceId.1': 'vsw-0001', ...tags })
        .status,
    ).toBe(200);
    expect(tagsOf('VSWITCH', HZ, 'vsw-0001')).toEqual({ CostCenter: 'cc1', new: 'v', env: 'stage' });
  });

  it('fails the whole call when any resource would exceed 20 tags, checked before attaching', () => {
    const nineteen = Object.fromEntries(ids('k', 19).map((k) => [k, 'v']));
    state.upsert([{ type: 'PeerConnection', region: HZ, id: 'pcc-0003', tags: nineteen }]);
    const params = { RegionId: HZ, ResourceType: 'PeerConnection', ...list('ResourceId', ['pcc-0002', 'pcc-0003']) };
    expect(call('VpcPeer', 'TagResources', { ...params, ...tagParams('Tag', [['x', '1']]) }).status).toBe(200);
    const a = call('VpcPeer', 'TagResources', { ...params, ...tagParams('Tag', [['y', '1']]) });
    expect([a.status, a.body.Code]).toEqual([400, 'NumberExceed.Tags']);
    expect(tagsOf('PeerConnection', HZ, 'pcc-0002')?.y).toBeUndefined();
    const ipam = call('VpcIpam', 'TagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      'ResourceId.1': 'ipam-pool-0001',
      ...tagParams(
        'Tag',
        ids('n', 18).map((k) => [k, 'v'] as const),
      ),
    });
    expect([ipam.status, ipam.body.Code]).toEqual([400, 'QuotaExceeded.TagNum']);
  });

  it('refuses reserved keys, empty keys, URL values and duplicates', () => {
    const p = { RegionId: HZ, ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-0001' };
    expect(call('VpcIpam', 'TagResources', { ...p, ...tagParams('Tag', [['aliyun-x', '1']]) }).body.Code).toBe(
      'IllegalParam.TagKey',
    );
    expect(call('VpcIpam', 'TagResources', { ...p, ...tagParams('Tag', [['', '1']]) }).body.Code).toBe(
      'IllegalParam.TagKey',
    );
    expect(call('VpcIpam', 'TagResources', { ...p, ...tagParams('Tag', [['k', 'https://x']]) }).body.Code).toBe(
      'IllegalParam.TagValue',
    );
    expect(
      call('VpcIpam', 'TagResources', {
        ...p,
        ...tagParams('Tag', [
          ['k', '1'],
          ['k', '2'],
        ]),
      }).body.Code,
    ).toBe('DuplicatedParam.TagKey');
    expect(call('VpcIpam', 'TagResources', p).body.Code).toBe('MissingParameter.Tags');
    expect(
      call('VpcPeer', 'TagResources', {
        RegionId: HZ,
        ResourceType: 'PeerConnection',
        'ResourceId.1': 'pcc-0001',
        ...tagParams('Tag', [['acs:x', '1']]),
      }).body.Code,
    ).toBe('Forbidden.TagKeys');
  });
});

describe('ListTagResources', () => {
  it('answers one row per (resource, tag) for ids (VpcIpam flat rows, no RegionNo)', () => {
    const a = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ...list('ResourceId', ['ipam-pool-0002', 'ipam-pool-0001', 'nope']),
    });
    expect(a.status).toBe(200);
    expect(a.body.NextToken).toBe('');
    expect(a.body.TagResources).toEqual([
      { ResourceId: 'ipam-pool-0001', ResourceType: 'IPAMPOOL', TagKey: 'CostCenter', TagValue: 'cc1' },
      { ResourceId: 'ipam-pool-0001', ResourceType: 'IPAMPOOL', TagKey: 'env', TagValue: 'dev' },
      { ResourceId: 'ipam-pool-0001', ResourceType: 'IPAMPOOL', TagKey: 'tmp-x', TagValue: '1' },
      { ResourceId: 'ipam-pool-0002', ResourceType: 'IPAMPOOL', TagKey: 'CostCenter', TagValue: 'cc2' },
      { ResourceId: 'ipam-pool-0002', ResourceType: 'IPAMPOOL', TagKey: 'env', TagValue: 'prod' },
    ]);
  });

  it('matches a key alone on any value, ANDs several pairs, and returns all tags of each match', () => {
    const byKey = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ...tagParams('Tag', [['env']]),
    });
    expect(new Set((byKey.body.TagResources as Array<{ ResourceId: string }>).map((r) => r.ResourceId))).toEqual(
      new Set(['ipam-pool-0001', 'ipam-pool-0002']),
    );
    expect((byKey.body.TagResources as unknown[]).length).toBe(5);
    const both = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ...tagParams('Tag', [
        ['env', 'dev'],
        ['CostCenter', 'cc1'],
      ]),
    });
    expect((both.body.TagResources as Array<{ TagKey: string }>).map((r) => r.TagKey)).toEqual([
      'CostCenter',
      'env',
      'tmp-x',
    ]);
    const none = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ...tagParams('Tag', [
        ['env', 'dev'],
        ['CostCenter', 'cc2'],
      ]),
    });
    expect(none.body.TagResources).toEqual([]);
  });

  it('refuses a call with neither ResourceId.N nor Tag.N on VpcIpam (400) and Vpc (403), but not on VpcPeer', () => {
    expect(call('VpcIpam', 'ListTagResources', { RegionId: HZ, ResourceType: 'IPAM' })).toMatchObject({
      status: 400,
      body: { Code: 'BothEmpty.TagsAndResources' },
    });
    expect(call('Vpc', 'ListTagResources', { RegionId: HZ, ResourceType: 'VPC' })).toMatchObject({
      status: 403,
      body: { Code: 'BothEmpty.TagsAndResources' },
    });
    const peer = call('VpcPeer', 'ListTagResources', { RegionId: HZ, ResourceType: 'PeerConnection' });
    expect(peer.status).toBe(200);
    expect(peer.body.MaxResults).toBe(50);
    expect(peer.body.TagResources).toContainEqual({
      ResourceId: 'pcc-0001',
      ResourceType: 'PeerConnection',
      RegionNo: HZ,
      TagKey: 'aliyun:sys',
      TagValue: 'x',
    });
  });

  it('splits VpcPeer rows by Category', () => {
    const rows = (c: string) =>
      (
        call('VpcPeer', 'ListTagResources', { RegionId: HZ, ResourceType: 'PeerConnection', Category: c }).body
          .TagResources as Array<{ TagKey: string }>
      ).map((r) => r.TagKey);
    expect(rows('System')).toEqual(['aliyun:sys']);
    expect(rows('Custom')).not.toContain('aliyun:sys');
  });

  it('nests Vpc rows under TagResources.TagResource', () => {
    const a = call('Vpc', 'ListTagResources', { RegionId: HZ, ResourceType: 'VPC', 'ResourceId.1': 'vpc-0001' });
    expect(a.body).toEqual({
      NextToken: '',
      TagResources: {
        TagResource: [
          { ResourceId: 'vpc-0001', ResourceType: 'VPC', TagKey: 'CostCenter', TagValue: 'cc1' },
          { ResourceId: 'vpc-0001', ResourceType: 'VPC', TagKey: 'env', TagValue: 'dev' },
        ],
      },
    });
  });

  it('holds MaxResults to each API range and default', () => {
    state.generate({
      types: ['IPAMPOOL', 'PeerConnection', 'VPC'],
      regions: [HZ],
      count: 100,
      keys: ['k'],
      tagsPerResource: [1, 1],
    });
    const rows = (product: ProductName, type: string, extra: Record<string, string>) =>
      call(product, 'ListTagResources', { RegionId: HZ, ResourceType: type, 'Tag.1.Key': 'k', ...extra });
    expect((rows('VpcIpam', 'IPAMPOOL', {}).body.TagResources as unknown[]).length).toBe(10);
    expect((rows('VpcPeer', 'PeerConnection', {}).body.TagResources as unknown[]).length).toBe(50);
    expect((rows('Vpc', 'VPC', {}).body.TagResources as { TagResource: unknown[] }).TagResource.length).toBe(50);
    expect((rows('VpcIpam', 'IPAMPOOL', { MaxResults: '50' }).body.TagResources as unknown[]).length).toBe(50);
    for (const [product, type] of [
      ['VpcIpam', 'IPAMPOOL'],
      ['VpcPeer', 'PeerConnection'],
      ['Vpc', 'VPC'],
    ] as const) {
      for (const bad of ['0', '51', 'x'])
        expect(rows(product, type, { MaxResults: bad })).toMatchObject({
          status: 400,
          body: { Code: 'IllegalParam.MaxResults' },
        });
    }
  });

  it('refuses a Tag.N.Value without its key, and more than 20 tag filters', () => {
    expect(
      call('VpcIpam', 'ListTagResources', { RegionId: HZ, ResourceType: 'IPAM', 'Tag.1.Value': 'v' }).body.Code,
    ).toBe('IllegalParam.TagKey');
    expect(
      call('VpcPeer', 'ListTagResources', { RegionId: HZ, ResourceType: 'PeerConnection', 'Tag.1.Value': 'v' }).body
        .Code,
    ).toBe('InvalidTagKey');
    const many = tagParams(
      'Tag',
      ids('k', 21).map((k) => [k] as const),
    );
    expect(call('VpcIpam', 'ListTagResources', { RegionId: HZ, ResourceType: 'IPAM', ...many }).body.Code).toBe(
      'IllegalParamSize.Tags',
    );
  });

  it('refuses a NextToken used with other parameters, or garbled', () => {
    state.generate({ types: ['IPAMPOOL'], regions: [HZ], count: 30, keys: ['k'], tagsPerResource: [1, 1] });
    const first = call('VpcIpam', 'ListTagResources', { RegionId: HZ, ResourceType: 'IPAMPOOL', 'Tag.1.Key': 'k' });
    const token = first.body.NextToken as string;
    expect(token).not.toBe('');
    const other = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      'Tag.1.Key': 'env',
      NextToken: token,
    });
    expect(other).toMatchObject({ status: 400, body: { Code: 'IllegalParam.NextToken' } });
    expect(
      call('VpcIpam', 'ListTagResources', {
        RegionId: HZ,
        ResourceType: 'IPAMPOOL',
        'Tag.1.Key': 'k',
        NextToken: 'garbage',
      }).body.Code,
    ).toBe('IllegalParam.NextToken');
    const resized = call('VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      'Tag.1.Key': 'k',
      NextToken: token,
      MaxResults: '50',
    });
    expect(resized.status).toBe(200);
  });
});

describe('typed lists', () => {
  it('ListIpams, ListIpamScopes, ListIpamPools return items with Tags and counts', () => {
    const ipams = call('VpcIpam', 'ListIpams', { RegionId: HZ });
    expect(ipams.body).toMatchObject({ Count: 1, TotalCount: 1, MaxResults: 10, NextToken: '' });
    expect((ipams.body.Ipams as unknown[])[0]).toMatchObject({
      IpamId: 'ipam-0001',
      RegionId: HZ,
      IpamStatus: 'Created',
      Tags: [
        { Key: 'CostCenter', Value: 'cc1' },
        { Key: 'acs:rm:rgId', Value: 'rg-1' },
        { Key: 'owner', Value: 'a' },
      ],
    });
    expect((call('VpcIpam', 'ListIpamScopes', { RegionId: HZ }).body.IpamScopes as unknown[])[0]).toMatchObject({
      IpamScopeId: 'ipam-scope-0001',
      Status: 'Created',
    });
    const pools = call('VpcIpam', 'ListIpamPools', { RegionId: HZ, ...tagParams('Tags', [['env', 'prod']]) });
    expect(pools.body).toMatchObject({ Count: 1, TotalCount: 1 });
    expect((pools.body.IpamPools as unknown[])[0]).toMatchObject({
      IpamPoolId: 'ipam-pool-0002',
      PoolRegionId: HZ,
      IpamScopeId: expect.any(String),
    });
    const byId = call('VpcIpam', 'ListIpamPools', { RegionId: HZ, 'IpamPoolIds.1': 'ipam-pool-0001' });
    expect((byId.body.IpamPools as Array<{ IpamPoolId: string }>).map((p) => p.IpamPoolId)).toEqual(['ipam-pool-0001']);
    expect(call('VpcIpam', 'ListIpamPools', { RegionId: HZ, MaxResults: '101' }).body.Code).toBe(
      'IllegalParam.MaxResults',
    );
    expect(call('VpcIpam', 'ListIpams', {}).body.Code).toBe('MissingParameter.RegionId');
  });

  it('ListVpcPeerConnections filters by InstanceId, Name, VpcId and Tags, default page 20', () => {
    state.generate({ types: ['PeerConnection'], regions: [HZ], count: 30, keys: ['k'], tagsPerResource: [1, 1] });
    const all = call('VpcPeer', 'ListVpcPeerConnections', { RegionId: HZ });
    expect(all.body).toMatchObject({ TotalCount: 32, MaxResults: 20 });
    expect((all.body.VpcPeerConnects as unknown[]).length).toBe(20);
    expect(all.body.NextToken).not.toBe('');
    const item = (all.body.VpcPeerConnects as Array<Record<string, unknown>>)[0]!;
    expect(item).toMatchObject({
      InstanceId: expect.stringMatching(/^pcc-/),
      RegionId: HZ,
      Status: 'Activated',
      Tags: expect.any(Array),
    });
    const tagged = call('VpcPeer', 'ListVpcPeerConnections', { RegionId: HZ, ...tagParams('Tags', [['team', 'net']]) });
    expect((tagged.body.VpcPeerConnects as Array<{ InstanceId: string }>).map((c) => c.InstanceId)).toEqual([
      'pcc-0001',
      'pcc-0002',
    ]);
    // Items nest the requester VPC (SDK response model ...VpcPeerConnectsVpc).
    const vpcId = (item.Vpc as { VpcId: string }).VpcId;
    const byVpc = call('VpcPeer', 'ListVpcPeerConnections', { RegionId: HZ, VpcId: `${vpcId},vpc-none` });
    expect((byVpc.body.VpcPeerConnects as Array<{ InstanceId: string }>).map((c) => c.InstanceId)).toEqual([
      item.InstanceId,
    ]);
    expect(call('VpcPeer', 'ListVpcPeerConnections', { RegionId: HZ, VpcId: 'a,b,c' }).body.Code).toBe(
      'NumberExceed.ResourceIds',
    );
    const byName = call('VpcPeer', 'ListVpcPeerConnections', {
      RegionId: HZ,
      Name: item.Name as string,
      InstanceId: item.InstanceId as string,
    });
    expect(byName.body.TotalCount).toBe(1);
  });

  it('DescribeVpcs and DescribeVSwitches page by number and nest tags', () => {
    const vpcs = call('Vpc', 'DescribeVpcs', { RegionId: HZ });
    expect(vpcs.body).toMatchObject({ TotalCount: 1, PageNumber: 1, PageSize: 10 });
    expect((vpcs.body.Vpcs as { Vpc: unknown[] }).Vpc[0]).toMatchObject({
      VpcId: 'vpc-0001',
      Tags: {
        Tag: [
          { Key: 'CostCenter', Value: 'cc1' },
          { Key: 'env', Value: 'dev' },
        ],
      },
    });
    state.generate({ types: ['VSWITCH'], regions: [HZ], count: 24, keys: ['k'] });
    const p3 = call('Vpc', 'DescribeVSwitches', { RegionId: HZ, PageNumber: '3', PageSize: '10' });
    expect(p3.body.TotalCount).toBe(25);
    expect((p3.body.VSwitches as { VSwitch: unknown[] }).VSwitch.length).toBe(5);
    expect(call('Vpc', 'DescribeVpcs', { RegionId: HZ, PageSize: '51' }).body.Code).toBe('IllegalParam.PageSize');
    const tagged = call('Vpc', 'DescribeVpcs', { RegionId: HZ, ...tagParams('Tag', [['env', 'prod']]) });
    expect(tagged.body.TotalCount).toBe(0);
  });
});

describe('dispatch', () => {
  it('answers InvalidAction.NotFound (404) for an unknown action or version', () => {
    expect(call('VpcIpam', 'DeleteEverything', {})).toMatchObject({
      status: 404,
      body: { Code: 'InvalidAction.NotFound' },
    });
    expect(call('VpcIpam', 'UnTagResources', {}).body.Code).toBe('InvalidAction.NotFound');
    expect(
      state.dispatch({
        product: 'Vpc',
        version: '2014-05-26',
        action: 'DescribeVpcs',
        params: { RegionId: HZ },
        accountId: '1',
      }).status,
    ).toBe(404);
  });

  it('marks tag and untag as writes, lists as reads, and charges the RegionId region', () => {
    expect(state.isWrite('VpcIpam', 'UntagResources')).toBe(true);
    expect(state.isWrite('VpcPeer', 'UnTagResources')).toBe(true);
    expect(state.isWrite('Vpc', 'TagResources')).toBe(true);
    expect(state.isWrite('VpcPeer', 'ListVpcPeerConnections')).toBe(false);
    expect(state.isWrite('Vpc', 'Nope')).toBe(false);
    expect(
      state.regionOf({
        product: 'VpcPeer',
        version: '2022-01-01',
        action: 'UnTagResources',
        params: { RegionId: SH },
        accountId: '1',
      }),
    ).toBe(SH);
    expect(
      state.regionOf({
        product: 'VpcPeer',
        version: '2022-01-01',
        action: 'ListVpcPeerConnections',
        params: {},
        accountId: '1',
      }),
    ).toBe(HZ);
  });

  it('upserts, removes, lists and resets resources', () => {
    expect(state.count()).toBe(10);
    state.upsert([{ type: 'VPC', region: HZ, id: 'vpc-0001', tags: { only: 'this' } }]);
    expect(state.count()).toBe(10);
    expect(tagsOf('VPC', HZ, 'vpc-0001')).toEqual({ only: 'this' });
    expect(state.remove({ type: 'VPC', region: HZ, id: 'vpc-0001' })).toBe(true);
    expect(state.remove({ type: 'VPC', region: HZ, id: 'vpc-0001' })).toBe(false);
    expect(state.list({ region: SH })).toEqual([
      { type: 'IPAMPOOL', region: SH, id: 'ipam-pool-0003', tags: { CostCenter: 'cc3' } },
    ]);
    state.reset();
    expect(state.count()).toBe(0);
  });
});

describe('pagination under churn', () => {
  /** Pages through `fetch`, adding and removing resources between pages; returns the rows seen. */
  function churn(
    type: string,
    fetch: (token: string) => { rows: string[]; next: string },
  ): { seen: string[]; removed: Set<string>; stable: string[] } {
    const all = state.list({ type, region: HZ }).map((r) => r.id);
    const removed = new Set<string>();
    const seen: string[] = [];
    let token = '';
    let page = 0;
    do {
      const { rows, next } = fetch(token);
      seen.push(...rows);
      token = next;
      page++;
      // Remove one resource ahead and one behind, add two new ones (one sorting before, one after the cursor).
      const ahead = all[(page * 37) % all.length]!;
      const behind = all[(page * 53) % all.length]!;
      for (const id of [ahead, behind]) if (state.remove({ type, region: HZ, id })) removed.add(id);
      state.upsert([
        { type, region: HZ, id: `${type.toLowerCase()}-a${page}`, tags: { k: 'v', churn: '1' } },
        { type, region: HZ, id: `${type.toLowerCase()}-z${page}`, tags: { k: 'v', churn: '1' } },
      ]);
    } while (token !== '');
    return { seen, removed, stable: all.filter((id) => !removed.has(id)) };
  }

  it('ListTagResources over 10,000 resources: no row repeated, none of the stable resources missed', () => {
    state.reset();
    state.generate({
      types: ['IPAMPOOL'],
      regions: [HZ],
      count: 10_000,
      keys: ['k', 'a', 'b', 'c'],
      fixedTags: { k: 'v' },
      tagsPerResource: [0, 2],
      seed: 7,
    });
    const expected = new Map(state.list({ type: 'IPAMPOOL', region: HZ }).map((r) => [r.id, Object.keys(r.tags)]));
    const { seen, stable } = churn('IPAMPOOL', (token) => {
      const a = call('VpcIpam', 'ListTagResources', {
        RegionId: HZ,
        ResourceType: 'IPAMPOOL',
        'Tag.1.Key': 'k',
        MaxResults: '50',
        ...(token ? { NextToken: token } : {}),
      });
      expect(a.status).toBe(200);
      const rows = a.body.TagResources as Array<{ ResourceId: string; TagKey: string }>;
      return { rows: rows.map((r) => `${r.ResourceId}|${r.TagKey}`), next: a.body.NextToken as string };
    });
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    for (const id of stable) for (const key of expected.get(id)!) expect(seenSet.has(`${id}|${key}`)).toBe(true);
    expect(stable.length).toBeGreaterThan(9_000);
  });

  it('ListIpamPools over 10,000 resources: every stable pool exactly once', () => {
    state.reset();
    state.generate({ types: ['IPAMPOOL'], regions: [HZ], count: 10_000, keys: ['k'], seed: 3 });
    const { seen, stable } = churn('IPAMPOOL', (token) => {
      const a = call('VpcIpam', 'ListIpamPools', {
        RegionId: HZ,
        MaxResults: '100',
        ...(token ? { NextToken: token } : {}),
      });
      expect(a.status).toBe(200);
      return {
        rows: (a.body.IpamPools as Array<{ IpamPoolId: string }>).map((p) => p.IpamPoolId),
        next: a.body.NextToken as string,
      };
    });
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    expect(stable.filter((id) => !seenSet.has(id))).toEqual([]);
  });
});

describe('generate', () => {
  const spec = {
    types: ['IPAM', 'PeerConnection', 'VPC'],
    regions: [HZ, SH],
    count: 500,
    keyCount: 30,
    tagsPerResource: [0, 6] as [number, number],
    seed: 42,
  };

  it('is reproducible for a seed and makes unique, prefixed, sortable ids', () => {
    const a = createCloudState();
    const b = createCloudState();
    expect(a.generate(spec)).toBe(3000);
    b.generate(spec);
    expect(a.list({})).toEqual(b.list({}));
    const c = createCloudState();
    c.generate({ ...spec, seed: 43 });
    expect(c.list({})).not.toEqual(a.list({}));
    const all = a.list({});
    expect(new Set(all.map((r) => r.id)).size).toBe(3000);
    expect(all.filter((r) => r.type === 'PeerConnection').every((r) => /^pcc-\d{8}$/.test(r.id))).toBe(true);
    const counts = all.map((r) => Object.keys(r.tags).length);
    expect(Math.min(...counts)).toBe(0);
    expect(Math.max(...counts)).toBe(6);
    // A second call adds rather than overwrites.
    expect(a.generate({ ...spec, types: ['IPAM'], regions: [HZ], count: 10 })).toBe(10);
    expect(a.count()).toBe(3010);
  });

  it('adds fixed tags to every resource', () => {
    const s = createCloudState();
    s.generate({
      types: ['VSWITCH'],
      regions: [HZ],
      count: 50,
      keys: ['a', 'b'],
      fixedTags: { CostCenter: 'x' },
      tagsPerResource: [2, 2],
    });
    expect(s.list({}).every((r) => r.tags.CostCenter === 'x' && Object.keys(r.tags).length === 3)).toBe(true);
  });

  it('holds 1,000,000 resources (timing and memory printed, not asserted)', () => {
    const s = createCloudState();
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const n = s.generate({
      types: ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection', 'VPC'],
      regions: [HZ, SH],
      count: 100_000,
      keyCount: 50,
      tagsPerResource: [1, 5],
      seed: 9,
    });
    const seconds = (performance.now() - t0) / 1000;
    const mb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    console.log(`generated ${n} resources in ${seconds.toFixed(2)} s, heap +${mb.toFixed(0)} MB`);
    expect(n).toBe(1_000_000);
    const page = s.dispatch({
      product: 'VpcIpam',
      version: '2023-02-28',
      action: 'ListTagResources',
      params: { RegionId: SH, ResourceType: 'IPAMPOOL', 'Tag.1.Key': 'key-7', MaxResults: '50' },
      accountId: '1',
    });
    expect((page.body.TagResources as unknown[]).length).toBe(50);
  });
});

describe('demoResources', () => {
  it('is deterministic and covers both regions, all demo types and the tags worth cleaning', () => {
    const demo = demoResources();
    expect(demoResources()).toEqual(demo);
    expect(demo.length).toBeGreaterThan(200);
    expect(new Set(demo.map((r) => r.region))).toEqual(new Set([HZ, SH]));
    expect(new Set(demo.map((r) => r.type))).toEqual(
      new Set(['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection', 'VPC', 'VSWITCH']),
    );
    const keys = new Set(demo.flatMap((r) => Object.keys(r.tags)));
    for (const k of ['CostCenter', 'legacy-owner', 'owner', 'cleanup:protect', 'acs:rm:rgId', 'aliyun:created-by'])
      expect(keys.has(k)).toBe(true);
    expect([...keys].some((k) => k.startsWith('tmp-'))).toBe(true);
    expect(demo.every((r) => Object.keys(r.tags).length <= 20)).toBe(true);
    expect(new Set(demo.map((r) => `${r.type}/${r.id}`)).size).toBe(demo.length);
    expect(demo.some((r) => r.id === 'ipam-pool-0001' && r.region === HZ)).toBe(true);
    const s = createCloudState();
    s.upsert(demo);
    expect(s.count()).toBe(demo.length);
  });
});

describe('upsert in bulk', () => {
  it('keeps ids ordered for paging when a batch arrives unsorted', () => {
    const s = createCloudState();
    const batch = Array.from({ length: 5000 }, (_, i) => ({
      type: 'VPC',
      region: HZ,
      id: `vpc-${String((i * 7919) % 5000).padStart(5, '0')}`,
      tags: { k: 'v' },
    }));
    expect(s.upsert(batch)).toBe(5000);
    const listed = s.list({ type: 'VPC' }).map((r) => r.id);
    expect(listed).toEqual([...listed].sort());
    expect(s.count()).toBe(5000);
    s.upsert([
      { type: 'VPC', region: HZ, id: 'vpc-00000a', tags: {} },
      { type: 'VPC', region: HZ, id: 'vpc-00001', tags: { k: 'w' } },
    ]);
    expect(s.count()).toBe(5001);
    const again = s.list({ type: 'VPC' }).map((r) => r.id);
    expect(again).toEqual([...again].sort());
  });
});
