/**
 * Tag semantics shared by the three products, parametrized by each product's rules (tables.ts): untag,
 * tag, and the row-per-(resource, tag) ListTagResources. Every check runs before anything is applied, so
 * a refused call changes nothing (no partial apply).
 */
import type { Behaviour } from '../behaviour.ts';
import type { ActionTable } from './actions.ts';
import { CloudError, refuse, refuseCommon } from './cloud-errors.ts';
import { decodeToken, encodeToken, queryDigest } from './paging.ts';
import { boolParam, indexed, intParam, type TagPair, tagPairs } from './params.ts';
import type { PackedTags, Store } from './store.ts';
import { hasUrl, isReservedKey, type TagRules, typesOf } from './tables.ts';

export function requireRegion(params: Record<string, string>): string {
  const region = params.RegionId;
  if (region === undefined || region === '')
    return refuseCommon('missingRegion', 'RegionId is mandatory for this action.');
  return region;
}

/** The canonical resource type name, or the product's refusal. */
export function resolveType(rules: TagRules, params: Record<string, string>): string {
  const raw = params.ResourceType;
  if (raw === undefined || raw === '')
    return refuse(rules.codes, 'missingResourceType', 'ResourceType is mandatory for this action.');
  const found = typesOf(rules.product).find((t) =>
    rules.typeCaseInsensitive ? t.toLowerCase() === raw.toLowerCase() : t === raw,
  );
  if (!found) return refuse(rules.codes, 'badResourceType', `The specified ResourceType (${raw}) is invalid.`);
  return found;
}

function checkKey(rules: TagRules, key: string): void {
  if (isReservedKey(key))
    refuse(rules.codes, 'reservedTagKey', `The tag key ${key} is reserved by the system and cannot be operated on.`);
  if (key.length > rules.keyMaxLength || hasUrl(key) || (rules.keyCharset && !rules.keyCharset.test(key))) {
    refuse(rules.codes, 'badTagKey', `The specified tag key ${JSON.stringify(key)} is illegal.`);
  }
}

function checkDuplicates(rules: TagRules, keys: string[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) refuse(rules.codes, 'duplicatedTagKey', `The tag key ${k} is duplicated.`);
    seen.add(k);
  }
}

function resourceIds(rules: TagRules, params: Record<string, string>, max: number): string[] {
  const ids = indexed(params, 'ResourceId');
  if (ids.length === 0 || ids.every((id) => id === ''))
    refuse(rules.codes, 'missingResourceIds', 'ResourceId is mandatory for this action.');
  if (ids.length > max) refuse(rules.codes, 'tooManyResourceIds', `At most ${max} ResourceId values are allowed.`);
  return [...new Set(ids)];
}

function requireExisting(store: Store, rules: TagRules, type: string, region: string, ids: string[]): void {
  const table = store.table(type, region);
  const missing = ids.filter((id) => !table?.has(id));
  if (missing.length > 0) {
    const [code, status] = rules.notFound(type);
    throw new CloudError(code, `The specified resource ${missing.join(',')} is not found.`, status);
  }
}

/**
 * UntagResources / UnTagResources. Returns how many tags were removed. Two behaviour switches decide what
 * the docs leave open: `untagAbsentKey` (a named key a resource lacks: ignored, or the call refused with
 * the product's tag-key code, nothing applied) and `vanishedInBatch` (an id that no longer exists:
 * nothing applied, or the ids that exist changed before the not-found answer).
 */
export function untag(store: Store, rules: TagRules, params: Record<string, string>, behaviour?: Behaviour): number {
  const region = requireRegion(params);
  const type = resolveType(rules, params);
  const ids = resourceIds(rules, params, rules.untagMaxIds);
  const keys = indexed(params, 'TagKey');
  if (keys.length > rules.untagMaxKeys)
    refuse(rules.codes, 'tooManyTags', `At most ${rules.untagMaxKeys} TagKey values are allowed.`);
  const all = boolParam(params, 'All');
  // `TagKey.N` may be "": it names no key.
  const named = keys.filter((k) => k !== '');
  if (!all && keys.length === 0 && rules.untagNeedsKeys)
    refuse(rules.codes, 'missingTags', 'TagKey is mandatory unless All is true.');
  for (const k of named) checkKey(rules, k);
  checkDuplicates(rules, named);
  const existing = store.table(type, region);
  const present = ids.filter((id) => existing?.has(id));
  const partial = behaviour?.get('vanishedInBatch') === 'partial';
  if (!partial || present.length === 0) requireExisting(store, rules, type, region, ids);
  const table = store.tableFor(type, region);

  const drop = new Set(named.map((k) => store.strings.find(k)).filter((i) => i >= 0));
  if (!all && behaviour?.get('untagAbsentKey') === 'error') {
    for (const id of present) {
      const tags = table.tags.get(id)!;
      const carried = new Set<number>();
      for (let i = 0; i < tags.length; i += 2) carried.add(tags[i]!);
      const absent = named.find((k) => !carried.has(store.strings.find(k)));
      // The product's code for a refused tag key (VpcIpam/VpcPeer IllegalParam.TagKey, Vpc InvalidTagKey).
      if (absent !== undefined)
        refuse(rules.codes, 'badTagKey', `The tag key ${JSON.stringify(absent)} does not exist on resource ${id}.`);
    }
  }
  let removed = 0;
  for (const id of present) {
    const tags = table.tags.get(id)!;
    const kept: PackedTags = [];
    for (let i = 0; i < tags.length; i += 2) {
      const k = tags[i]!;
      // All=true removes every tag the caller may remove: the reserved (system) ones stay.
      const goes = all ? !isReservedKey(store.strings.str(k)) : drop.has(k);
      if (goes) removed++;
      else kept.push(k, tags[i + 1]!);
    }
    if (kept.length !== tags.length) table.set(id, kept);
  }
  // vanishedInBatch=partial: the ids that exist were changed above; the call still answers not-found.
  if (present.length !== ids.length) requireExisting(store, rules, type, region, ids);
  return removed;
}

/** TagResources: add or overwrite; over 20 tags on any resource fails the whole call before applying. */
export function tag(store: Store, rules: TagRules, params: Record<string, string>): void {
  const region = requireRegion(params);
  const type = resolveType(rules, params);
  const ids = resourceIds(rules, params, rules.tagMaxIds);
  const pairs = tagPairs(params, 'Tag');
  if (pairs.length === 0) refuse(rules.codes, 'missingTags', 'Tag is mandatory for this action.');
  if (pairs.length > rules.tagMaxTags)
    refuse(rules.codes, 'tooManyTags', `At most ${rules.tagMaxTags} tags are allowed.`);
  for (const p of pairs) {
    if (p.key === undefined || p.key === '')
      refuse(rules.codes, rules.product === 'Vpc' ? 'missingTags' : 'badTagKey', 'A tag key cannot be empty.');
    checkKey(rules, p.key!);
    const v = p.value ?? '';
    if (v.length > rules.valueMaxLength || hasUrl(v))
      refuse(rules.codes, 'badTagValue', `The tag value of ${p.key} is illegal.`);
  }
  checkDuplicates(
    rules,
    pairs.map((p) => p.key!),
  );
  requireExisting(store, rules, type, region, ids);

  const table = store.tableFor(type, region);
  const next = new Map<string, PackedTags>();
  for (const id of ids) {
    const merged = new Map(store.unpack(table.tags.get(id)!));
    for (const p of pairs) merged.set(p.key!, p.value ?? '');
    if (merged.size > rules.maxTagsPerResource) {
      refuse(
        rules.codes,
        'tagQuota',
        `Resource ${id} would carry ${merged.size} tags; at most ${rules.maxTagsPerResource} are allowed.`,
      );
    }
    next.set(id, store.packPairs([...merged.entries()]));
  }
  for (const [id, tags] of next) table.set(id, tags);
}

/** A compiled `Tag.N` / `Tags.N` filter: every pair must match (AND); a pair without value matches any value. */
export type TagMatcher = (tags: PackedTags) => boolean;

export function compileFilter(store: Store, pairs: TagPair[]): TagMatcher {
  if (pairs.length === 0) return () => true;
  const wanted = pairs.map((p) => ({
    key: store.strings.find(p.key ?? ''),
    // An empty value is what OpenApiUtil.query sends for "key only": treat it as any value.
    value: p.value === undefined || p.value === '' ? -2 : store.strings.find(p.value),
  }));
  if (wanted.some((w) => w.key < 0 || w.value === -1)) return () => false;
  return (tags) =>
    wanted.every((w) => {
      for (let i = 0; i < tags.length; i += 2) if (tags[i] === w.key) return w.value === -2 || tags[i + 1] === w.value;
      return false;
    });
}

/** Check a filter list: count, and no value without a key. */
export function filterPairs(rules: TagRules, params: Record<string, string>, name: string, max: number): TagPair[] {
  const pairs = tagPairs(params, name);
  if (pairs.length > max) refuse(rules.codes, 'tooManyTags', `At most ${max} ${name} filters are allowed.`);
  for (const p of pairs) {
    if (p.key === undefined || p.key === '')
      refuse(rules.codes, 'tagValueWithoutKey', `${name}.N.Value needs ${name}.N.Key.`);
  }
  return pairs;
}

/** Resources of one table in id order, from `start` (inclusive), restricted to `ids` when given. */
export function* scan(
  store: Store,
  type: string,
  region: string,
  ids: string[] | undefined,
  start: string | undefined,
): Generator<[string, PackedTags]> {
  const table = store.table(type, region);
  if (!table) return;
  if (ids) {
    const sorted = [...new Set(ids)].sort();
    for (const id of sorted) {
      if (start !== undefined && id < start) continue;
      const tags = table.tags.get(id);
      if (tags) yield [id, tags];
    }
    return;
  }
  for (let i = start === undefined ? 0 : table.after(start, true); i < table.ids.length; i++) {
    const id = table.ids[i]!;
    yield [id, table.tags.get(id)!];
  }
}

export interface TagRow {
  ResourceId: string;
  ResourceType: string;
  TagKey: string;
  TagValue: string;
  RegionNo?: string;
}

/**
 * ListTagResources: one row per (resource, tag); tag filters return all tags of each matched resource
 * (listTagsByKey=full) or only the filtered keys' rows (=matching).
 */
export function listTagRows(
  store: Store,
  rules: TagRules,
  action: string,
  params: Record<string, string>,
  behaviour?: Behaviour,
): { rows: TagRow[]; nextToken: string; maxResults: number } {
  const region = requireRegion(params);
  const type = resolveType(rules, params);
  const named = indexed(params, 'ResourceId').filter((id) => id !== '');
  if (named.length > rules.listMaxIds)
    refuse(rules.codes, 'tooManyResourceIds', `At most ${rules.listMaxIds} ResourceId values are allowed.`);
  const given = filterPairs(rules, params, 'Tag', rules.listMaxTags);
  if (rules.listNeedsFilter && named.length === 0 && given.length === 0) {
    refuse(rules.codes, 'bothEmpty', 'The specified Tags and ResourceIds are not allowed to be both empty.');
  }
  // peerListFilters=ignored: VpcPeer's deprecated filters are checked, then have no effect.
  const ignored = rules.product === 'VpcPeer' && behaviour?.get('peerListFilters') === 'ignored';
  const ids = ignored ? [] : named;
  const pairs = ignored ? [] : given;
  // listTagsByKey=matching: a Tag.N filter answers only the rows of the filtered keys.
  const onlyKeys =
    pairs.length > 0 && behaviour?.get('listTagsByKey') === 'matching' ? new Set(pairs.map((p) => p.key!)) : undefined;
  const maxResults = intParam(params, 'MaxResults', rules.listMaxResults, 'badMaxResults');
  const category = params.Category ?? 'All';
  const keep = (key: string) =>
    category === 'Custom' ? !isReservedKey(key) : category === 'System' ? isReservedKey(key) : true;
  const digest = queryDigest(action, params);
  const pos = decodeToken(params.NextToken, digest, 2);
  const matches = compileFilter(store, pairs);

  const rows: TagRow[] = [];
  let last: [string, string] | undefined;
  let more = false;
  outer: for (const [id, tags] of scan(store, type, region, ids.length > 0 ? ids : undefined, pos?.[0])) {
    if (!matches(tags)) continue;
    for (let i = 0; i < tags.length; i += 2) {
      const key = store.strings.str(tags[i]!);
      if (pos && id === pos[0] && key <= pos[1]!) continue;
      if (!keep(key)) continue;
      if (onlyKeys && !onlyKeys.has(key)) continue;
      if (rows.length === maxResults) {
        more = true;
        break outer;
      }
      const row: TagRow = {
        ResourceId: id,
        ResourceType: type,
        TagKey: key,
        TagValue: store.strings.str(tags[i + 1]!),
      };
      if (rules.product === 'VpcPeer') row.RegionNo = region;
      rows.push(row);
      last = [id, key];
    }
  }
  return { rows, nextToken: more && last ? encodeToken(digest, last) : '', maxResults };
}

export function tagList(store: Store, tags: PackedTags): Array<{ Key: string; Value: string }> {
  return store.unpack(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** How one product spells its tag actions and shapes their answers; the semantics are shared. */
export interface TaggingShape {
  /** `UntagResources` (VpcIpam) or `UnTagResources` (VpcPeer, Vpc): case matters. */
  untagAction: string;
  /** Success body of a tag or untag call (VpcPeer adds `Success: true`). */
  writeAnswer: () => Record<string, unknown>;
  /** Body of a ListTagResources page (Vpc nests its rows, VpcPeer echoes MaxResults). */
  listAnswer: (page: ReturnType<typeof listTagRows>) => Record<string, unknown>;
}

/** Untag, tag and ListTagResources for one product. */
export function taggingActions(store: Store, rules: TagRules, behaviour: Behaviour, shape: TaggingShape): ActionTable {
  return {
    [shape.untagAction]: {
      write: true,
      handler: (p) => {
        untag(store, rules, p, behaviour);
        return shape.writeAnswer();
      },
    },
    TagResources: {
      write: true,
      handler: (p) => {
        tag(store, rules, p);
        return shape.writeAnswer();
      },
    },
    ListTagResources: {
      write: false,
      handler: (p) => shape.listAnswer(listTagRows(store, rules, 'ListTagResources', p, behaviour)),
    },
  };
}
