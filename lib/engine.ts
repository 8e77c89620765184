/**
 * The engine's entry for the function: everything a run needs that the handler's module init does not.
 * `lib/invocation.ts` loads it with a dynamic `import()`, and the build ships it as its own file
 * (`dist/engine.js`), so a cold start compiles only the small handler bundle.
 */

export { createCloudPort } from './cloud/client.ts';
export { runJournaled } from './journal/journaled-run.ts';
export { readPlanSource, removedByRun, storePlan } from './reviewed-plan/load.ts';
export { planRunInput } from './reviewed-plan/select.ts';
export { runCleanup } from './run.ts';
export { openRunStore } from './store/from-env.ts';
