/** Typed lists (ListIpams, ListVpcPeerConnections, ...): one item per resource, keyset-paged by id. */
import { decodeToken, encodeToken, queryDigest } from './paging.ts';
import type { PackedTags, Store } from './store.ts';
import { scan } from './tagging.ts';

export interface TypedPage<T> {
  items: T[];
  nextToken: string;
  totalCount: number;
}

export function typedPage<T>(
  store: Store,
  action: string,
  params: Record<string, string>,
  where: { type: string; region: string; ids: string[] | undefined; maxResults: number; unfiltered?: boolean },
  matches: (id: string, tags: PackedTags) => boolean,
  item: (id: string, tags: PackedTags) => T,
): TypedPage<T> {
  const digest = queryDigest(action, params);
  const pos = decodeToken(params.NextToken, digest, 1);
  const items: T[] = [];
  let last: string | undefined;
  let more = false;
  for (const [id, tags] of scan(store, where.type, where.region, where.ids, pos?.[0])) {
    if (pos && id === pos[0]) continue;
    if (!matches(id, tags)) continue;
    if (items.length === where.maxResults) {
      more = true;
      break;
    }
    items.push(item(id, tags));
    last = id;
  }
  let totalCount = 0;
  if (where.unfiltered && !where.ids) totalCount = store.table(where.type, where.region)?.size() ?? 0;
  else
    for (const [id, tags] of scan(store, where.type, where.region, where.ids, undefined))
      if (matches(id, tags)) totalCount++;
  return { items, nextToken: more && last ? encodeToken(digest, [last]) : '', totalCount };
}

/** Offset pages (Vpc Describe*): the cloud pages these by number, so rows may shift as resources change. */
export function numberedPage<T>(
  store: Store,
  where: { type: string; region: string; ids: string[] | undefined; pageNumber: number; pageSize: number },
  matches: (id: string, tags: PackedTags) => boolean,
  item: (id: string, tags: PackedTags) => T,
): { items: T[]; totalCount: number } {
  const items: T[] = [];
  const skip = (where.pageNumber - 1) * where.pageSize;
  let seen = 0;
  for (const [id, tags] of scan(store, where.type, where.region, where.ids, undefined)) {
    if (!matches(id, tags)) continue;
    if (seen >= skip && items.length < where.pageSize) items.push(item(id, tags));
    seen++;
  }
  return { items, totalCount: seen };
}

/** A stable, plausible attribute derived from an id (names, parent ids, CIDRs) since the store keeps only tags. */
export function suffixOf(id: string): string {
  const dash = id.lastIndexOf('-');
  return dash < 0 ? id : id.slice(dash + 1);
}
