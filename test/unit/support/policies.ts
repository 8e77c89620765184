/** Builds compiled policies for unit tests through the real parser, so tests never hold an invalid policy. */
import { type CompiledPolicy, compilePolicy } from '../../../lib/policy/compile.ts';
import { parsePolicy } from '../../../lib/policy/parse.ts';

export function policyOf(fields: Record<string, unknown>): CompiledPolicy {
  const r = parsePolicy({ name: 'test', regions: ['cn-hangzhou'], resourceTypes: ['IPAMPOOL'], ...fields });
  if (!r.ok) throw new Error(`test policy rejected: ${JSON.stringify(r.issues)}`);
  return compilePolicy(r.policy);
}
