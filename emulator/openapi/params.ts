/** Reading the flat RPC parameters (`ResourceId.1`, `Tag.2.Key`) the gateway hands over. */
import { refuseCommon } from './cloud-errors.ts';

/** Values of `name.N` in N order (N from 1). Absent indices are skipped; the count is what was sent. */
export function indexed(params: Record<string, string>, name: string): string[] {
  const prefix = `${name}.`;
  const found: Array<[number, string]> = [];
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix)) continue;
    const n = Number(k.slice(prefix.length));
    if (Number.isInteger(n) && n >= 1) found.push([n, v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export interface TagPair {
  key: string | undefined;
  value: string | undefined;
}

/** `name.N.Key` / `name.N.Value` pairs in N order. */
export function tagPairs(params: Record<string, string>, name: string): TagPair[] {
  const prefix = `${name}.`;
  const byN = new Map<number, TagPair>();
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot < 0) continue;
    const n = Number(rest.slice(0, dot));
    const field = rest.slice(dot + 1);
    if (!Number.isInteger(n) || n < 1 || (field !== 'Key' && field !== 'Value')) continue;
    const pair = byN.get(n) ?? { key: undefined, value: undefined };
    if (field === 'Key') pair.key = v;
    else pair.value = v;
    byN.set(n, pair);
  }
  return [...byN.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

export function boolParam(params: Record<string, string>, name: string): boolean {
  return (params[name] ?? '').toLowerCase() === 'true';
}

/** An integer parameter within [min, max], the default when absent, else the given common failure. */
export function intParam(
  params: Record<string, string>,
  name: string,
  range: { min: number; max: number; default: number },
  failure: 'badMaxResults' | 'badPageSize' | 'badPageNumber',
): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return range.default;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    refuseCommon(failure, `The specified ${name} (${raw}) is illegal: expected ${range.min} to ${range.max}.`);
  }
  return n;
}

/** Comma-joined list (`VpcId=a,b`) or indexed (`VpcId.1`), whichever was sent. */
export function listParam(params: Record<string, string>, name: string): string[] {
  const joined = params[name];
  if (joined !== undefined && joined !== '') {
    return joined
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return indexed(params, name);
}
