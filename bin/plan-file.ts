/**
 * Reading and writing reviewed plan files (`plan --out`, `run --plan`). A plan that does not parse or
 * whose hashes do not match (edited after review) is bad input: every issue named, nothing sent.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { type PlanDocument, parsePlan } from '../lib/reviewed-plan/document.ts';
import { BadPolicyError, CliError, ExitCode } from './errors.ts';

export async function loadPlanFile(file: string): Promise<PlanDocument> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadPolicyError(
      `${file}: cannot read the plan file (${code ?? (e instanceof Error ? e.message : String(e))})`,
      [],
      {
        cause: e,
      },
    );
  }
  const parsed = parsePlan(raw);
  if (!parsed.ok) {
    const err = new BadPolicyError(
      `${file}: invalid plan (${parsed.issues.map((i) => i.path || '(root)').join(', ')})`,
      parsed.issues,
    );
    Object.defineProperty(err, 'code', { value: 'INVALID_PLAN' });
    throw err;
  }
  return parsed.plan;
}

/** Writes the plan whole (temporary file, then rename): a reader never sees half a plan. */
export async function writePlanFile(file: string, plan: PlanDocument): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(plan, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    const err = new CliError(`cannot write the plan to ${file}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
    Object.defineProperty(err, 'exitCode', { value: ExitCode.PartialFailure });
    throw err;
  }
}
