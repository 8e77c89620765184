/**
 * The FC 3.0 entry (`handler: index.handler`, runtime nodejs20): decode the trigger, run, answer.
 * Bad input is answered with `ok: false` and every issue (never thrown: FC would retry it); an ignored
 * event is answered `ok: true` with the reason; a run answers its report. Everything heavy (the engine,
 * the SDKs) loads on first use inside `lib/invocation.ts`, so module init stays small.
 */
import type { FcContext } from '../../lib/fc-context.ts';
import { loadPayloadPlan, runInvocation } from '../../lib/invocation.ts';
import { consoleSink, logJson, logReport } from '../../lib/log.ts';
import { inputErrorReport } from '../../lib/report.ts';
import { decodeInvocation } from '../../lib/trigger/index.ts';

export const handler = async (event: Buffer, context: FcContext) => {
  const startedMs = Date.now();
  const requestId = context?.requestId;
  const first = decodeInvocation(event ?? Buffer.alloc(0), process.env, new Date(startedMs), { requestId });
  // `{"plan": "oss://..."}` and a plan run's hops name a plan to read before the rest can be decoded.
  const decoded = first.kind === 'load-plan' ? await loadPayloadPlan(first, { env: process.env, context }) : first;

  if (decoded.kind === 'invalid') {
    const answer = inputErrorReport(decoded.code, decoded.message, decoded.issues);
    logJson({ kind: 'invalid', requestId, ...answer });
    return answer;
  }
  if (decoded.kind === 'ignored') {
    logJson({ kind: 'ignored', requestId, reason: decoded.reason });
    return { ok: true, ignored: decoded.reason };
  }
  const { run } = decoded;
  logJson({
    kind: 'start',
    requestId,
    runId: run.runId,
    source: run.source,
    policy: run.policy.name,
    shard: run.shard,
    hop: run.continuation?.hop ?? 0,
    retry: context?.retryCount ?? 0,
  });
  const { report } = await runInvocation(run, { env: process.env, context, startedMs, log: consoleSink });
  logReport(report, consoleSink);
  return report;
};
