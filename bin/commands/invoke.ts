/**
 * `invoke`: runs a policy in the deployed function (sync: prints its report; `--async`: prints the
 * request id). The policy is validated here first, so a bad one exits 2 before any call.
 */

import { VpcTagCleanupError } from '../../lib/errors.ts';
import {
  createInvoker,
  type InvokeFailure,
  type InvokeOutcome,
  invokerConfigFromEnv,
} from '../../lib/invoker/index.ts';
import type { Report } from '../../lib/types.ts';
import { type Command, requireString } from '../command.ts';
import { CliErrorCode, ExitCode, RefusedInputError, UsageError } from '../errors.ts';
import type { Output } from '../output.ts';

/**
 * FC refused the call or never answered. Shaped like the SDKs' errors (code, statusCode, data.Message,
 * data.RequestId) so bin/describe-error.ts tells it like any cloud refusal: a 4xx exits 2, the rest 1.
 */
class FcInvokeError extends VpcTagCleanupError {
  override readonly name = 'FcInvokeError';
  readonly statusCode: number | undefined;
  readonly data: { Message: string; RequestId?: string };
  constructor(f: InvokeFailure) {
    super(f.code, f.message);
    this.statusCode = f.httpStatus;
    this.data = { Message: f.message, ...(f.requestId ? { RequestId: f.requestId } : {}) };
  }
}

const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

export const invokeCommand: Command = {
  name: 'invoke',
  summary: 'run a policy in the deployed function (FC 3.0 SDK, or fc2 for the 2016-08-15 API)',
  help: `Usage: vpc-tag-cleanup invoke --function NAME --policy FILE [--resource REGION/TYPE/ID[,...]] [--async] [--region R] [--account-id ID] [--run-id ID] [--json]

Sends {"policy": <policy>, "runId"?: ID, "narrowTo"?: [...]} to the FC 3.0 function NAME
(POST /2023-03-30/functions/NAME/invocations through @alicloud/fc20230330, ACS3-signed), the same
invoker the function uses for fan-out and continuations. The policy is checked locally first. Synchronous by default: prints the function's report and exits 0 or 1 on its "ok".
With --async, FC queues the invocation and the command prints the request id; with --run-id as well,
the run id is also the async task id, so sending the same run twice is refused by FC.

Options:
  --function NAME   the function name (required)
  --policy FILE     the policy, JSON or YAML (required)
  --resource REGION/TYPE/ID[,...]
                    run the policy on only these resources (each inside the policy), listed by id
  --async           asynchronous invocation (X-Fc-Invocation-Type: Async)
  --region R        FC region (default ALIBABA_CLOUD_REGION_ID, else cn-hangzhou)
  --account-id ID   account id (default ALIBABA_CLOUD_ACCOUNT_ID)
  --run-id ID       run id passed to the function
  --json            print the function's answer as one JSON document (errors too)

Environment: VPC_TAG_CLEANUP_FC_ENDPOINT (http://host:port) sends the call there instead of
https://ACCOUNT.REGION.fc.aliyuncs.com. VPC_TAG_CLEANUP_FC_API=2016-08-15 with
VPC_TAG_CLEANUP_FC_SERVICE=SVC invokes /2016-08-15/services/SVC/functions/NAME through @alicloud/fc2;
VPC_TAG_CLEANUP_FC_SIGNATURE=auto|acs3|fc picks the signature on the 2023-03-30 path (default auto:
ACS3, then the FC scheme once if the gateway refuses ACS3). Credentials: the @alicloud/credentials
default chain.
`,
  options: {
    function: { type: 'string', short: 'f' },
    policy: { type: 'string', short: 'p' },
    resource: { type: 'string' },
    async: { type: 'boolean' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    'run-id': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, io, out) {
    const functionName = requireString('invoke', values, 'function');
    const file = requireString('invoke', values, 'policy');
    const accountId =
      (typeof values['account-id'] === 'string' ? values['account-id'] : undefined) ?? io.env.ALIBABA_CLOUD_ACCOUNT_ID;
    if (!accountId)
      throw new UsageError('invoke: the account id is required: --account-id or ALIBABA_CLOUD_ACCOUNT_ID');
    const region =
      (typeof values.region === 'string' ? values.region : undefined) ??
      io.env.ALIBABA_CLOUD_REGION_ID ??
      'cn-hangzhou';
    const runId = typeof values['run-id'] === 'string' ? values['run-id'] : undefined;
    if (values.async === true && runId !== undefined && !TASK_ID.test(runId))
      throw new UsageError(
        'invoke: with --async, --run-id is the task id and must match [A-Za-z_][A-Za-z0-9_-]* (at most 128)',
      );

    const config = invokerConfigFromEnv(io.env);
    if (!config.ok) throw new UsageError(`invoke: ${config.message}`);

    // Loaded here: `--help` should not pay for the SDKs' load time (the invoker loads its SDK on first call).
    const [{ resolveCredentials }, { renderReport }, { loadPolicy, narrowFrom }] = await Promise.all([
      import('../credentials.ts'),
      import('../format/table.ts'),
      import('../policy-input.ts'),
    ]);
    const policy = await loadPolicy(file);
    const narrowTo = narrowFrom('invoke', values, policy);
    const credentials = await resolveCredentials();
    const invoker = createInvoker(
      { credentials, accountId, region, endpoint: io.env.VPC_TAG_CLEANUP_FC_ENDPOINT || undefined, timeoutMs: 900_000 },
      config.config,
    );
    const payload = { policy, ...(runId !== undefined ? { runId } : {}), ...(narrowTo ? { narrowTo } : {}) };
    if (values.async === true) return answerAsync(await invoker.invokeAsync(functionName, payload, runId), runId, out);
    const result = await invoker.invokeSync(functionName, payload);
    if (result.status === 'failed') throw new FcInvokeError(result);
    const raw = typeof result.data === 'string' ? result.data : JSON.stringify(result.data, null, 2);
    if (result.errorType) {
      // The function threw (HTTP 200 with X-Fc-Error-Type): its body says why.
      out.note(`function error (${result.errorType}), request id ${result.requestId ?? '(none)'}`);
      out.answer(
        {
          ok: false,
          error: { code: CliErrorCode.FunctionError, message: `function error (${result.errorType})`, issues: [] },
          errorType: result.errorType,
          requestId: result.requestId ?? null,
          data: result.data,
        },
        raw,
      );
      return ExitCode.PartialFailure;
    }
    const report = result.data as Partial<Report> | null;
    const inputError =
      report && typeof report === 'object' && report.ok === false && !('totals' in report) ? report.error : undefined;
    if (inputError)
      // The function refused the payload (answered, not thrown): bad input, shown like local bad input.
      throw new RefusedInputError(
        inputError.code,
        `the function refused the input: ${inputError.message}`,
        inputError.issues ?? [],
      );
    const isReport = report !== null && typeof report === 'object' && 'totals' in report;
    out.answer(result.data, () => (isReport ? renderReport(report as Report) : raw));
    return isReport && report.ok === true ? ExitCode.Ok : ExitCode.PartialFailure;
  },
};

/** `--async`: FC's answer to the queued invocation (accepted, already held, or refused). */
function answerAsync(started: InvokeOutcome, runId: string | undefined, out: Output): number {
  if (started.status === 'failed') throw new FcInvokeError(started);
  if (started.status === 'duplicate') {
    out.answer(
      { ok: false, accepted: false, duplicate: true, taskId: runId ?? null },
      `not sent again: FC already holds task ${runId}`,
    );
    return ExitCode.PartialFailure;
  }
  out.answer(
    { ok: true, accepted: true, requestId: started.requestId ?? null },
    `accepted: request id ${started.requestId ?? '(none)'}`,
  );
  return ExitCode.Ok;
}
