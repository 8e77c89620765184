/**
 * The policy's JSON Schema, generated from the zod schema (the single source), for `vpc-tag-cleanup
 * schema`, editors and the README. Cross-field rules (key rules per API, Vpc types without a typed
 * list) are beyond JSON Schema and are checked by `parsePolicy` only.
 */
import { z } from 'zod';
import { PolicySchema } from './schema.ts';

/** The schema's identifier; a policy may name it (or a local copy) in `"$schema"`. */
export const POLICY_SCHEMA_ID = 'urn:vpc-tag-cleanup:policy:1';

/**
 * The JSON Schema (draft 2020-12, valid under Ajv's strict mode) of a policy as written by a user:
 * fields with defaults (`dryRun`) are optional, every object is closed (`additionalProperties: false`),
 * every field carries its description.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(PolicySchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    $schema,
    $id: POLICY_SCHEMA_ID,
    ...schema,
    title: 'vpc-tag-cleanup policy (version 1)',
    description: 'A cleanup policy: which tags to remove from which Alibaba Cloud VPC-family resources.',
  };
}
