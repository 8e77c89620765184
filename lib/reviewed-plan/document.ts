/**
 * A reviewed plan (`plan --policy F --out PLAN.json`): every (resource, key, value) the policy would
 * remove, the policy itself and its hash, and a hash over the whole plan. `run --plan` executes exactly
 * this list (lib/reviewed-plan/select.ts): a plan edited after review no longer matches its hash and is
 * refused, so what was approved is what runs.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isResourceType, type ResourceType } from '../catalog.ts';
import type { IssueLike } from '../errors.ts';
import { parsePolicy } from '../policy/parse.ts';
import type { Policy } from '../policy/schema.ts';

export const PLAN_KIND = 'vpc-tag-cleanup/plan';
export const PLAN_VERSION = 1;

export interface PlannedResource {
  region: string;
  type: ResourceType;
  id: string;
  /** Each key to remove and the value it had when planned. */
  tags: Record<string, string>;
}

export interface PlanDocument {
  kind: typeof PLAN_KIND;
  version: typeof PLAN_VERSION;
  createdAt: string;
  /** The dry run that made it. */
  runId: string;
  policy: Policy;
  /** sha256 (hex) of the policy's canonical JSON. */
  policyHash: string;
  resources: PlannedResource[];
  /** sha256 (hex) of the canonical JSON of `{policyHash, resources}`: what was reviewed. */
  planHash: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function policyHash(policy: Policy): string {
  return sha256(canonicalJson(policy));
}

const sortResources = (rs: PlannedResource[]) =>
  [...rs].sort((a, b) => {
    const x = `${a.region}\u0000${a.type}\u0000${a.id}`;
    const y = `${b.region}\u0000${b.type}\u0000${b.id}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });

function planHashOf(pHash: string, resources: PlannedResource[]): string {
  return sha256(canonicalJson({ policyHash: pHash, resources: sortResources(resources) }));
}

export function buildPlan(opts: {
  policy: Policy;
  runId: string;
  createdAt: Date;
  resources: PlannedResource[];
}): PlanDocument {
  const pHash = policyHash(opts.policy);
  const resources = sortResources(opts.resources.filter((r) => Object.keys(r.tags).length > 0));
  return {
    kind: PLAN_KIND,
    version: PLAN_VERSION,
    createdAt: opts.createdAt.toISOString(),
    runId: opts.runId,
    policy: opts.policy,
    policyHash: pHash,
    resources,
    planHash: planHashOf(pHash, resources),
  };
}

const PlannedSchema = z.strictObject({
  region: z.string().min(1),
  type: z.string().refine(isResourceType, 'is not a resource type this tool knows'),
  id: z.string().min(1),
  tags: z.record(z.string(), z.string()),
});

const PlanSchema = z.strictObject({
  kind: z.literal(PLAN_KIND),
  version: z.literal(PLAN_VERSION),
  createdAt: z.string(),
  runId: z.string(),
  policy: z.unknown(),
  policyHash: z.string().regex(/^[0-9a-f]{64}$/),
  resources: z.array(PlannedSchema),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export type PlanParse = { ok: true; plan: PlanDocument } | { ok: false; issues: IssueLike[] };

/** Validates a plan document: its shape, its policy, and both hashes (an edited plan is refused). */
export function parsePlan(raw: unknown): PlanParse {
  const shape = PlanSchema.safeParse(raw);
  if (!shape.success)
    return {
      ok: false,
      issues: shape.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    };
  const policy = parsePolicy(shape.data.policy);
  if (!policy.ok)
    return { ok: false, issues: policy.issues.map((i) => ({ path: `policy.${i.path}`, message: i.message })) };
  const resources = shape.data.resources as PlannedResource[];
  const pHash = policyHash(policy.policy);
  if (pHash !== shape.data.policyHash)
    return {
      ok: false,
      issues: [{ path: 'policyHash', message: 'does not match the policy: the plan was edited after it was made' }],
    };
  if (planHashOf(pHash, resources) !== shape.data.planHash)
    return {
      ok: false,
      issues: [{ path: 'planHash', message: 'does not match the plan: the plan was edited after it was made' }],
    };
  return { ok: true, plan: { ...shape.data, policy: policy.policy, resources } as PlanDocument };
}
