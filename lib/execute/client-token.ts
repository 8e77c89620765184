/**
 * The VpcPeer ClientToken: a hash of a canonical, sorted description of one untag batch and of the
 * invocation whose listing it was computed from. Every retry and every FC re-delivery of the same
 * invocation (FC keeps its request id across async retries) sends the same token for the same call; a
 * later run reusing the run id (`runId: "weekly"`) is another invocation, so the cloud cannot replay the
 * earlier run's success for a key that has come back. Made once per batch, before the retry loop.
 */
import { createHash } from 'node:crypto';
import type { UntagBatch } from '../types.ts';

/** 64 lowercase hex characters (ASCII, the documented maximum length). */
export function clientTokenFor(
  runId: string,
  action: string,
  batch: Pick<UntagBatch, 'region' | 'type' | 'ids' | 'keys'>,
  invocationId = '',
): string {
  const canonical = JSON.stringify([
    runId,
    invocationId,
    action,
    batch.region,
    batch.type,
    [...batch.ids].sort(),
    batch.keys === 'all' ? 'all' : [...batch.keys].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
