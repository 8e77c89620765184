/**
 * The VpcPeer ClientToken: a hash of a canonical, sorted description of one untag batch, so every retry
 * and every re-delivery of the same run sends the same token for the same call (DESIGN.md, decisions).
 * Made once per batch, before the retry loop.
 */
import { createHash } from 'node:crypto';
import type { UntagBatch } from '../types.ts';

/** 64 lowercase hex characters (ASCII, the documented maximum length). */
export function clientTokenFor(
  runId: string,
  action: string,
  batch: Pick<UntagBatch, 'region' | 'type' | 'ids' | 'keys'>,
): string {
  const canonical = JSON.stringify([
    runId,
    action,
    batch.region,
    batch.type,
    [...batch.ids].sort(),
    batch.keys === 'all' ? 'all' : [...batch.keys].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
