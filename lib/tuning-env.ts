/**
 * Operator overrides of the catalog's tuning for one deployment, from `VPC_TAG_CLEANUP_LIMITS` (a JSON
 * object of numeric `Tuning` fields, e.g. `{"deadlineMarginMs":30000}`) and `VPC_TAG_CLEANUP_QUOTA_SCALE`
 * (a multiplier of the published rate quotas, for an account whose quotas were raised by ticket). Tests use
 * the same knobs to force short deadlines and small buffers. Unknown fields and values outside a limit's
 * range (`TUNING_RANGES`: `listConcurrency: 0`, `maxKeysPerCall: 0.5`) are reported, never applied.
 */
import { TUNING, TUNING_RANGES, type Tuning, type TuningRange } from './catalog.ts';

/** Tuning and quota scale read from the environment. */
export interface EnvTuning {
  tuning: Partial<Tuning>;
  quotaScale?: number;
  /** What was ignored, and why (logged by the caller). */
  ignored: string[];
}

/** Why `v` cannot be this limit, or undefined when it can. */
function rangeProblem(v: unknown, range: TuningRange): string | undefined {
  const kind = range.integer ? 'an integer' : 'a number';
  const span = range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `not a number (expected ${kind} ${span})`;
  if ((range.integer && !Number.isInteger(v)) || v < range.min || (range.max !== undefined && v > range.max))
    return `${v} is out of range (expected ${kind} ${span})`;
  return undefined;
}

/** Read both variables; a field that cannot apply is listed in `ignored`, never thrown. */
export function tuningFromEnv(env: {
  VPC_TAG_CLEANUP_LIMITS?: string | undefined;
  VPC_TAG_CLEANUP_QUOTA_SCALE?: string | undefined;
}): EnvTuning {
  const out: EnvTuning = { tuning: {}, ignored: [] };
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
        if (!Object.hasOwn(TUNING, key)) out.ignored.push(`VPC_TAG_CLEANUP_LIMITS.${key}: not a limit`);
        else {
          const problem = rangeProblem(v, TUNING_RANGES[key as keyof Tuning]);
          if (problem)
            out.ignored.push(
              `VPC_TAG_CLEANUP_LIMITS.${key}: ${problem}; the default ${TUNING[key as keyof Tuning]} applies`,
            );
          else (out.tuning as Record<string, number>)[key] = v as number;
        }
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
