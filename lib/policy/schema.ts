/**
 * The cleanup policy, version 1 (DESIGN.md "the cleanup policy"). This zod schema is the single
 * source: parsing, the JSON Schema that `vpc-tag-cleanup schema` prints, and the README's policy
 * reference all come from it. Objects are strict: an unknown key anywhere is an error naming it.
 */
import { z } from 'zod';
import { RESOURCE_TYPE_NAMES } from '../catalog.ts';

const nonEmpty = z.string().min(1);

export const TagFilterSchema = z.strictObject({
  key: nonEmpty.describe('Tag key the resource must carry.'),
  value: z.string().optional().describe('Required value; omitted means any value.'),
});

export const RemoveSchema = z.union([
  z.strictObject({
    all: z.literal(true).describe('Remove every tag the resource carries (protected and reserved keys excepted).'),
  }),
  z.strictObject({
    keys: z.array(nonEmpty).optional().describe('Exact tag keys to remove.'),
    keyPatterns: z
      .array(nonEmpty)
      .optional()
      .describe("Regular expressions matched against each resource's actual keys."),
  }),
]);

export const PolicySchema = z.strictObject({
  name: nonEmpty.max(128).describe('Name of the policy, shown in reports and logs.'),
  regions: z.array(nonEmpty).min(1).describe('Region ids to clean, e.g. cn-hangzhou.'),
  resourceTypes: z
    .array(z.enum(RESOURCE_TYPE_NAMES as [string, ...string[]]))
    .min(1)
    .describe('Resource types to clean.'),
  match: z
    .strictObject({
      resourceIds: z.array(nonEmpty).min(1).optional().describe('Only these resource ids.'),
      tags: z.array(TagFilterSchema).min(1).optional().describe('Only resources carrying all of these tags.'),
    })
    .optional()
    .describe('Narrows the resources; omitted means every resource that carries a key to remove.'),
  remove: RemoveSchema.describe('What to remove: `{keys?, keyPatterns?}` (one non-empty) or `{all: true}`.'),
  protect: z
    .strictObject({
      keys: z.array(nonEmpty).optional().describe('Keys never removed.'),
      resourceTag: TagFilterSchema.optional().describe('A resource carrying this tag is left alone.'),
    })
    .optional(),
  dryRun: z.boolean().default(false).describe('Discover and plan only: zero write calls.'),
  limits: z
    .strictObject({
      maxResources: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('Stop before the first write when more resources would change (LIMIT_EXCEEDED).'),
      concurrency: z.number().int().min(1).max(64).optional().describe('Write calls in flight at once.'),
    })
    .optional(),
  fanOut: z.boolean().optional().describe('Run each region in its own asynchronous invocation (FC only).'),
});

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
