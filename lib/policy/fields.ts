/**
 * The fields a policy object may hold at a path (`[]` the root, `['match']`, `['match', 'tags', 0]`),
 * read from the zod schema itself, so "did you mean" and "allowed: ..." never drift from it.
 */
import type { z } from 'zod';
import { PolicySchema } from './schema.ts';

type AnySchema = z.core.$ZodType;

/** Unwraps optional/default/nullable/pipe to the schema that holds the shape. */
function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = cur._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else break;
  }
  return cur;
}

function children(s: AnySchema): AnySchema[] {
  const def = unwrap(s)._zod.def as { type: string; options?: AnySchema[] };
  return def.type === 'union' && def.options ? def.options.map(unwrap) : [unwrap(s)];
}

/** Field names allowed at `path`, sorted; `[]` when `path` is not an object of the policy. */
export function fieldsAt(path: readonly PropertyKey[]): string[] {
  let level: AnySchema[] = [PolicySchema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of level.flatMap(children)) {
      const def = s._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
      if (typeof seg === 'number' && def.type === 'array' && def.element) next.push(def.element);
      else if (typeof seg === 'string' && def.type === 'object' && def.shape?.[seg]) next.push(def.shape[seg]);
    }
    level = next;
  }
  const names = new Set<string>();
  for (const s of level.flatMap(children)) {
    const def = s._zod.def as { type: string; shape?: Record<string, AnySchema> };
    if (def.type === 'object' && def.shape) for (const k of Object.keys(def.shape)) names.add(k);
  }
  return [...names].sort();
}
