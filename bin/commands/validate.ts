/**
 * `validate`: the checks `plan` and `run` make before their first call, and nothing else: offline, no
 * credentials, no endpoint. One function (`loadPolicy`) serves all three, so a policy `validate`
 * accepts is one `run` accepts. Exit 0 valid, 2 invalid.
 */
import { type Command, requireString } from '../command.ts';
import { ExitCode } from '../errors.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a policy offline (no credentials, no calls): the same checks as plan and run',
  help: `Usage: vpc-tag-cleanup validate --policy FILE [--json] [--region R[,R...]] [--concurrency N]

Checks the policy as "plan" and "run" check it before their first call (schema, region ids, key rules
per API, what the selected types can list), without credentials and without a single call to the
cloud. With --json, prints {"ok": true, "policy": ...} (the policy as the engine will run it) or
{"ok": false, "error": {"code", "message", "issues": [{"path", "message"}]}}.

Options:
  --policy FILE      the policy file, JSON or YAML ("-" reads stdin) (required)
  --json             print the answer as one JSON document
  --region R[,R...]  check with these regions instead of the policy's (as plan/run --region)
  --concurrency N    check with this limits.concurrency (as plan/run --concurrency)

Exit codes: 0 valid, 2 invalid (every problem is listed, each with its field).
`,
  options: {
    policy: { type: 'string', short: 'p' },
    region: { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run(values, _io, out) {
    const { loadPolicy, overridesFrom } = await import('../policy-input.ts');
    const file = requireString('validate', values, 'policy');
    const policy = await loadPolicy(file, overridesFrom('validate', values));
    const types = policy.resourceTypes.join(', ');
    out.answer(
      { ok: true, policy },
      `${file}: valid policy "${policy.name}" (${policy.regions.length} region${policy.regions.length === 1 ? '' : 's'}: ${policy.regions.join(', ')}; types: ${types}${policy.dryRun ? '; dryRun' : ''})`,
    );
    return ExitCode.Ok;
  },
};
