/**
 * NextToken: opaque to clients, it carries the position of the last row returned (resource id, and for
 * tag rows the tag key) plus a digest of the query's other parameters. Resuming "after a position" rather
 * than "at an offset" keeps pages stable while resources come and go. A token presented with other
 * parameters (other filters, other type or region) is refused as the cloud refuses a bad token.
 *
 * Format: base64url(JSON [version, digest, ...position]); digest = first 16 hex of sha256 over the action
 * and the sorted parameters other than NextToken and MaxResults (a client may change the page size).
 */
import { createHash } from 'node:crypto';
import { refuseCommon } from './cloud-errors.ts';

const VERSION = 1;
const IGNORED = new Set(['NextToken', 'MaxResults']);

export function queryDigest(action: string, params: Record<string, string>): string {
  const h = createHash('sha256').update(action);
  for (const k of Object.keys(params).sort()) {
    if (IGNORED.has(k)) continue;
    h.update(`\u0000${k}\u0001${params[k]}`);
  }
  return h.digest('hex').slice(0, 16);
}

export function encodeToken(digest: string, position: string[]): string {
  return Buffer.from(JSON.stringify([VERSION, digest, ...position])).toString('base64url');
}

/** The position a token resumes after, or undefined on page 1. Refuses a malformed or foreign token. */
export function decodeToken(token: string | undefined, digest: string, arity: number): string[] | undefined {
  if (token === undefined || token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== VERSION ||
    parsed[1] !== digest ||
    parsed.length !== arity + 2 ||
    !parsed.slice(2).every((p) => typeof p === 'string')
  ) {
    return refuseCommon('badNextToken', 'The specified NextToken is invalid.');
  }
  return parsed.slice(2) as string[];
}
