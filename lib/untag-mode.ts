/**
 * What a run learns about the cloud's untag calls while it runs, shared by the planner (how it packs),
 * the executor (how it re-sends a refused call) and the continuation (so the next hop starts knowing it).
 * The docs do not say whether naming a key a resource lacks is a no-op or an error: a refused call of
 * mixed key sets is the cloud answering that, per product.
 */
import { PRODUCTS, type ProductId } from './catalog.ts';

export interface UntagMode {
  /** Products whose untag calls must name only keys every id of the call carries. */
  readonly exact: Set<ProductId>;
}

/** A mode knowing `exact` already (a continuation's list; names that are not products are ignored). */
export function createUntagMode(exact: Iterable<string> = []): UntagMode {
  const known = new Set<string>(Object.keys(PRODUCTS));
  return { exact: new Set([...exact].filter((p): p is ProductId => known.has(p))) };
}
