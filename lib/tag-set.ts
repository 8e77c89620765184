/**
 * Tag sets as the engine holds them: objects without a prototype, so a key named `__proto__` or
 * `constructor` is stored and found like any other (on a plain `{}`, `tags.__proto__ = v` sets the
 * prototype and the key is lost). Every stage that builds a resource's tags starts from `emptyTagSet`.
 */

/** An empty tag set whose every key, `__proto__` included, is an own property. */
export function emptyTagSet(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** A tag set from `[key, value]` pairs (the last value of a repeated key wins). */
export function tagSetOf(pairs: Iterable<readonly [string, string]>): Record<string, string> {
  const tags = emptyTagSet();
  for (const [k, v] of pairs) tags[k] = v;
  return tags;
}
