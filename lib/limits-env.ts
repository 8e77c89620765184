/**
 * Operator overrides of the catalog's limits for one deployment, from `VPC_TAG_CLEANUP_LIMITS` (a JSON
 * object of numeric `Limits` fields, e.g. `{"deadlineMarginMs":30000}`) and `VPC_TAG_CLEANUP_QUOTA_SCALE`
 * (a multiplier of the published rate quotas, for an account whose quotas were raised by ticket). Tests use
 * the same knobs to force short deadlines and small buffers. Unknown or non-numeric fields are reported,
 * never applied.
 */
import { LIMITS, type Limits } from './catalog.ts';

/** Limits and quota scale read from the environment. */
export interface EnvLimits {
  limits: Partial<Limits>;
  quotaScale?: number;
  /** What was ignored, and why (logged by the caller). */
  ignored: string[];
}

/** Read both variables; a field that cannot apply is listed in `ignored`, never thrown. */
export function limitsFromEnv(env: {
  VPC_TAG_CLEANUP_LIMITS?: string | undefined;
  VPC_TAG_CLEANUP_QUOTA_SCALE?: string | undefined;
}): EnvLimits {
  const out: EnvLimits = { limits: {}, ignored: [] };
  const text = env.VPC_TAG_CLEANUP_LIMITS?.trim();
  if (text) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.ignored.push('VPC_TAG_CLEANUP_LIMITS: not a JSON object');
    } else {
      for (const [key, v] of Object.entries(value)) {
        if (!Object.hasOwn(LIMITS, key)) out.ignored.push(`VPC_TAG_CLEANUP_LIMITS.${key}: not a limit`);
        else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
          out.ignored.push(`VPC_TAG_CLEANUP_LIMITS.${key}: not a non-negative number`);
        else (out.limits as Record<string, number>)[key] = v;
      }
    }
  }
  const scale = env.VPC_TAG_CLEANUP_QUOTA_SCALE?.trim();
  if (scale) {
    const n = Number(scale);
    if (Number.isFinite(n) && n > 0) out.quotaScale = n;
    else out.ignored.push('VPC_TAG_CLEANUP_QUOTA_SCALE: not a positive number');
  }
  return out;
}
