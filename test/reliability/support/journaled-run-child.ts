/**
 * One journaled run in a process of its own, so a test can SIGKILL it at any instant. Argument: JSON
 * `{endpoint, policy, runId, storeDir, limits?, quotaScale?}`; prints `RESULT {ok}` if it gets to the end.
 */
import { emulatorPort } from '../../../bench/engine.ts';
import { runJournaled } from '../../../lib/journal/journaled-run.ts';
import type { Policy } from '../../../lib/policy/schema.ts';
import { createLocalStore } from '../../../lib/store/local.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as {
  endpoint: string;
  policy: Policy;
  runId: string;
  storeDir: string;
  limits?: Record<string, number>;
  quotaScale?: number;
};
const { report } = await runJournaled(
  { policy: input.policy, runId: input.runId },
  {
    cloud: emulatorPort(input.endpoint, input.limits ?? {}),
    ...(input.limits ? { limits: input.limits } : {}),
    ...(input.quotaScale !== undefined ? { quotaScale: input.quotaScale } : {}),
  },
  { store: createLocalStore(input.storeDir) },
);
process.stdout.write(`RESULT ${JSON.stringify({ ok: report.ok })}\n`);
process.exit(0);
