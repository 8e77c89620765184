/**
 * The naive baseline the benchmarks compare against: the literal approach a simple script takes.
 *
 * - Discovery, one policy item at a time: each exact key through `ListTagResources` with `Tag.1.Key`
 *   (every resource carrying it), each key pattern through the type's typed list (`ListIpamPools`,
 *   `ListVpcPeerConnections`, ...), since a pattern cannot be asked for.
 * - Every policy key (the exact keys, plus every key seen matching a pattern) goes to every matched
 *   resource, in slices of 20 ids x 20 keys, whether the resource carries the key or not.
 * - Fixed concurrency, fixed-delay retries, no adaptive rate.
 *
 * It honours the policy's protections (it would not be a fair baseline if it were wrong), and it talks
 * through the same `CloudPort` as the engine so the transport costs the same.
 */
import pLimit from 'p-limit';
import { listerOf, PRODUCTS, productOf, type ResourceType } from '../lib/catalog.ts';
import type { CloudPort } from '../lib/cloud/port.ts';
import type { PolicyShape } from './expected.ts';

export interface BaselineOptions {
  /** Calls in flight at once (listing and writing share it, as in a simple script). */
  concurrency: number;
  /** Delay before each retry, fixed. */
  retryDelayMs: number;
  /** Retries after the first try. */
  maxRetries: number;
  maxIdsPerCall?: number;
  maxKeysPerCall?: number;
  /** Rows per ListTagResources page (the API's maximum is 50). */
  listPageSize?: number;
  /**
   * `per-item` (default): each exact key through `ListTagResources`, each pattern through the typed
   * list. `typed`: the typed list alone finds every matched resource (the other simple tool).
   */
  discovery?: 'per-item' | 'typed';
}

export interface BaselineResult {
  wallMs: number;
  /** Resources the baseline sent untag calls for. */
  matched: number;
  calls: { list: number; untag: number; throttled: number; retried: number; failed: number };
}

interface UnitState {
  region: string;
  type: ResourceType;
  /** id -> tags (tags known only when a typed list saw the resource). */
  matched: Map<string, Record<string, string> | undefined>;
  patternKeys: Set<string>;
}

const reserved = (k: string): boolean => /^(aliyun|acs:)/i.test(k);

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function tagsOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(raw)) return out;
  for (const t of raw as Array<{ Key?: unknown; Value?: unknown; TagKey?: unknown; TagValue?: unknown }>) {
    const k = t.Key ?? t.TagKey;
    if (typeof k === 'string') out[k] = String(t.Value ?? t.TagValue ?? '');
  }
  return out;
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : undefined;
}

function isRetryable(err: unknown): boolean {
  const e = err as { retryable?: unknown; statusCode?: unknown };
  if (typeof e?.retryable === 'boolean') return e.retryable;
  const code = errorCode(err) ?? '';
  return (
    code.includes('Throttling') || (typeof e?.statusCode === 'number' && e.statusCode >= 500) || /^E[A-Z]+$/.test(code)
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runBaseline(
  port: CloudPort,
  policy: PolicyShape,
  options: BaselineOptions,
): Promise<BaselineResult> {
  const started = performance.now();
  const maxIds = options.maxIdsPerCall ?? 20;
  const maxKeys = options.maxKeysPerCall ?? 20;
  const pageSize = options.listPageSize ?? 50;
  const limit = pLimit(options.concurrency);
  const calls = { list: 0, untag: 0, throttled: 0, retried: 0, failed: 0 };
  if ('all' in policy.remove) throw new Error('the baseline handles key and pattern policies only');
  const exactKeys = (policy.remove.keys ?? []).filter((k) => !reserved(k) && !(policy.protect?.keys ?? []).includes(k));
  const patterns = (policy.remove.keyPatterns ?? []).map((p) => new RegExp(p));
  const protectedKeys = new Set(policy.protect?.keys ?? []);

  const call = async (kind: 'list' | 'untag', ...args: Parameters<CloudPort['call']>) => {
    for (let attempt = 0; ; attempt++) {
      calls[kind]++;
      try {
        return await port.call(...args);
      } catch (err) {
        if ((errorCode(err) ?? '').includes('Throttling')) calls.throttled++;
        if (attempt >= options.maxRetries || !isRetryable(err)) throw err;
        calls.retried++;
        await sleep(options.retryDelayMs);
      }
    }
  };

  const units: UnitState[] = [];
  for (const region of policy.regions) {
    for (const type of policy.resourceTypes as ResourceType[]) {
      units.push({ region, type, matched: new Map(), patternKeys: new Set() });
    }
  }

  // Discovery: one paging chain per (unit, policy item); pages of a chain follow each other.
  const chains: Array<() => Promise<void>> = [];
  for (const unit of units) {
    const product = productOf(unit.type);
    const typedOnly = options.discovery === 'typed';
    for (const key of typedOnly ? [] : exactKeys) {
      chains.push(async () => {
        let token: string | undefined;
        do {
          const params: Record<string, unknown> = {
            RegionId: unit.region,
            ResourceType: unit.type,
            Tag: [{ Key: key }],
            MaxResults: pageSize,
          };
          if (token) params.NextToken = token;
          const res = await limit(() => call('list', product, unit.region, PRODUCTS[product].listTagsAction, params));
          const rows = (getPath(res.body, 'TagResources.TagResource') ?? getPath(res.body, 'TagResources')) as unknown;
          for (const row of Array.isArray(rows) ? (rows as Array<{ ResourceId?: string }>) : []) {
            if (row.ResourceId && !unit.matched.has(row.ResourceId)) unit.matched.set(row.ResourceId, undefined);
          }
          token = typeof res.body.NextToken === 'string' && res.body.NextToken ? res.body.NextToken : undefined;
        } while (token);
      });
    }
    const lister = listerOf(unit.type);
    if (patterns.length > 0 || typedOnly) {
      if (!lister) throw new Error(`the baseline cannot list ${unit.type} by type: no typed list`);
      chains.push(async () => {
        let token: string | undefined;
        let page = 1;
        for (;;) {
          const params: Record<string, unknown> = { RegionId: unit.region };
          if (lister.paging === 'token') {
            params.MaxResults = lister.maxResults;
            if (token) params.NextToken = token;
          } else {
            params.PageSize = lister.maxResults;
            params.PageNumber = page;
          }
          const opts = lister.bodyParams ? { bodyParams: lister.bodyParams } : undefined;
          const res = await limit(() => call('list', product, unit.region, lister.action, params, opts));
          const items = getPath(res.body, lister.itemsField);
          const list = Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
          for (const item of list) {
            const id = item[lister.idField];
            if (typeof id !== 'string') continue;
            const tags = tagsOf(getPath(item, lister.tagsField));
            const hits = Object.keys(tags).filter(
              (k) => !reserved(k) && !protectedKeys.has(k) && patterns.some((re) => re.test(k)),
            );
            for (const k of hits) unit.patternKeys.add(k);
            const exactHit = typedOnly && exactKeys.some((k) => Object.hasOwn(tags, k));
            if (hits.length > 0 || exactHit) unit.matched.set(id, tags);
          }
          if (lister.paging === 'token') {
            token = typeof res.body.NextToken === 'string' && res.body.NextToken ? res.body.NextToken : undefined;
            if (!token) break;
          } else {
            if (list.length < lister.maxResults) break;
            page++;
          }
        }
      });
    }
  }
  await Promise.all(chains.map((c) => c()));

  // A protected resource (policy.protect.resourceTag) is left alone; the baseline knows its tags only
  // when a typed list saw it, so it asks ListTagResources by id for the others, 20 ids a call.
  const rt = policy.protect?.resourceTag;
  if (rt) {
    await Promise.all(
      units.map(async (unit) => {
        const product = productOf(unit.type);
        const unknown = [...unit.matched].filter(([, tags]) => tags === undefined).map(([id]) => id);
        await Promise.all(
          chunk(unknown, maxIds).map(async (ids) => {
            let token: string | undefined;
            do {
              const params: Record<string, unknown> = {
                RegionId: unit.region,
                ResourceType: unit.type,
                ResourceId: ids,
                MaxResults: pageSize,
              };
              if (token) params.NextToken = token;
              const res = await limit(() =>
                call('list', product, unit.region, PRODUCTS[product].listTagsAction, params),
              );
              const rows = (getPath(res.body, 'TagResources.TagResource') ??
                getPath(res.body, 'TagResources')) as unknown;
              for (const row of Array.isArray(rows)
                ? (rows as Array<{ ResourceId?: string; TagKey?: string; TagValue?: string }>)
                : []) {
                if (!row.ResourceId || !row.TagKey) continue;
                const tags = unit.matched.get(row.ResourceId) ?? {};
                tags[row.TagKey] = row.TagValue ?? '';
                unit.matched.set(row.ResourceId, tags);
              }
              token = typeof res.body.NextToken === 'string' && res.body.NextToken ? res.body.NextToken : undefined;
            } while (token);
          }),
        );
      }),
    );
  }

  // Writing: every policy key to every matched resource.
  let matched = 0;
  const writes: Array<Promise<unknown>> = [];
  for (const unit of units) {
    const product = productOf(unit.type);
    const ids = [...unit.matched]
      .filter(
        ([, tags]) =>
          !(rt && tags && Object.hasOwn(tags, rt.key) && (rt.value === undefined || tags[rt.key] === rt.value)),
      )
      .map(([id]) => id);
    matched += ids.length;
    const keys = [...new Set([...exactKeys, ...unit.patternKeys])];
    for (const idSlice of chunk(ids, maxIds)) {
      for (const keySlice of chunk(keys, maxKeys)) {
        const params = { RegionId: unit.region, ResourceType: unit.type, ResourceId: idSlice, TagKey: keySlice };
        writes.push(
          limit(() => call('untag', product, unit.region, PRODUCTS[product].untagAction, params)).catch(() => {
            calls.failed++;
          }),
        );
      }
    }
  }
  await Promise.all(writes);
  return { wallMs: performance.now() - started, matched, calls };
}
