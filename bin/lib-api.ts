/**
 * The engine as the CLI sees it: one import site for `lib/`, so the commands read as a list of steps
 * and a moved export changes one file.
 */

export { withTuning } from '../lib/catalog.ts';
export { createCloudPort } from '../lib/cloud/client.ts';
export { createWriteEstimator, type WriteEstimate } from '../lib/estimate.ts';
export { createRateLimiter } from '../lib/execute/rate-limiter.ts';
export { runJournaled } from '../lib/journal/journaled-run.ts';
export { narrowedNotFound, narrowIssues, parseResourceList } from '../lib/narrow.ts';
export { policyJsonSchema } from '../lib/policy/json-schema.ts';
export { listingCost } from '../lib/policy/listing-cost.ts';
export { parsePolicy } from '../lib/policy/parse.ts';
export type { Policy } from '../lib/policy/schema.ts';
export { resourceIdsNotFound } from '../lib/resource-ids-not-found.ts';
export { restoreRun } from '../lib/restore/restore.ts';
export type { RunProgress } from '../lib/run.ts';
export { runCleanup } from '../lib/run.ts';
export { createLocalStore } from '../lib/store/local.ts';
export { tuningFromEnv } from '../lib/tuning-env.ts';
export type { ResourceRef } from '../lib/types.ts';
