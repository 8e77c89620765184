/**
 * From a policy file and command-line overrides to a validated policy, or a `BadPolicyError` whose
 * issues name each bad field. Nothing here talks to the cloud.
 */

import { optionalPositiveInt } from './command.ts';
import { BadPolicyError, UsageError } from './errors.ts';
import { narrowIssues, type Policy, parsePolicy, parseResourceList, type ResourceRef } from './lib-api.ts';
import { readPolicyFile } from './policy-file.ts';

export interface PolicyOverrides {
  /** Replaces the policy's `regions`. */
  regions?: string[];
  /** Sets `limits.concurrency`. */
  concurrency?: number;
  /** Forces `dryRun` (the `plan` command), after validation: the file is checked as `run` would check it. */
  dryRun?: boolean;
}

/** `--region` and `--concurrency`, read the same way by validate, plan and run. */
export function overridesFrom(command: string, values: Record<string, string | boolean | undefined>): PolicyOverrides {
  const concurrency = optionalPositiveInt(command, values, 'concurrency');
  const regionText = typeof values.region === 'string' ? values.region : undefined;
  const regions = regionText
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return { ...(regions ? { regions } : {}), ...(concurrency !== undefined ? { concurrency } : {}) };
}

/** Applies overrides to the raw value before validation, so an override is checked like the file. */
export function applyOverrides(raw: unknown, o: PolicyOverrides): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (o.regions) out.regions = o.regions;
  if (o.concurrency !== undefined) {
    const limits = typeof out.limits === 'object' && out.limits !== null ? (out.limits as Record<string, unknown>) : {};
    out.limits = { ...limits, concurrency: o.concurrency };
  }
  return out;
}

/** Reads, overrides and validates; throws `BadPolicyError` naming the file and every bad field. */
export async function loadPolicy(file: string, overrides: PolicyOverrides = {}): Promise<Policy> {
  return checkPolicy(await readPolicyFile(file), file, overrides);
}

/**
 * The one check of validate, plan, run and `run --continue`: overrides applied to the raw value, the
 * engine's `parsePolicy`, then `dryRun` forced (plan) on the valid result.
 */
export function checkPolicy(raw: unknown, label: string, overrides: PolicyOverrides = {}): Policy {
  const parsed = parsePolicy(applyOverrides(raw, overrides));
  if (!parsed.ok) {
    const fields = parsed.issues.map((i) => i.path || '(root)').join(', ');
    throw new BadPolicyError(`${label}: invalid policy (${fields})`, parsed.issues);
  }
  return overrides.dryRun === undefined ? parsed.policy : { ...parsed.policy, dryRun: overrides.dryRun };
}

/**
 * `--resource REGION/TYPE/ID[,...]`: the run narrowed to exactly those resources (lib/narrow.ts), each
 * inside the policy; undefined without the option. A bad one is bad input naming it, before any call.
 */
export function narrowFrom(
  command: string,
  values: Record<string, string | boolean | undefined>,
  policy: Policy,
): ResourceRef[] | undefined {
  const text = values.resource;
  if (text === undefined) return undefined;
  const parsed = parseResourceList(typeof text === 'string' ? text : '');
  if (!parsed.ok) throw new UsageError(`${command}: --resource: ${parsed.message}`);
  const outside = narrowIssues(policy, parsed.refs);
  if (outside.length > 0)
    throw new BadPolicyError(
      `${command}: --resource names resources outside the policy`,
      outside.map((n) => ({ path: `narrowTo[${n.index}].${n.field}`, message: n.message })),
    );
  return parsed.refs;
}
