/**
 * The cleanup policy, version 1 (DESIGN.md "the cleanup policy"). This zod schema is the single
 * source: parsing, the JSON Schema that `vpc-tag-cleanup schema` prints, and the README's policy
 * reference all come from it. Objects are strict: an unknown key anywhere is an error naming it.
 *
 * Rules that need more than one field (a key no selected API accepts, a Vpc type without a typed
 * lister under a pattern policy) live in `parse.ts`; the schema holds what one field can say alone.
 */
import { z } from 'zod';
import { AccountsSchema } from '../accounts/schema.ts';
import { POLICY_CAPS, RESOURCE_TYPE_NAMES, type ResourceType } from '../catalog.ts';
import { isKnownRegion, regionsNear } from '../regions.ts';
import { keyPatternProblem, MAX_KEY_PATTERN_LENGTH } from './key-pattern.ts';

export { keyPatternProblem, MAX_KEY_PATTERN_LENGTH } from './key-pattern.ts';

/** Region ids as the cloud spells them: `cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`. */
export const REGION_ID_PATTERN = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

const nonEmpty = z.string().min(1, 'must not be empty');

/** `at most N entries (why)`: the message of a capped array (POLICY_CAPS). */
const cap = (n: number, why: string) => `must have at most ${n} entries (${why})`;

/** Why `id` cannot be a region of a policy, or undefined when it is a known region id. */
export function regionProblem(id: string): string | undefined {
  if (isKnownRegion(id)) return undefined;
  const near = regionsNear(id);
  const hint =
    near.length > 0 ? `did you mean ${near.join(' or ')}?` : 'region ids look like cn-hangzhou or ap-southeast-1';
  return REGION_ID_PATTERN.test(id)
    ? `"${id}" is not a known region id (${hint})`
    : `"${id}" is not a region id (${hint})`;
}

/** A region id the Vpc SDK or the endpoints pages know (lib/regions.ts): a typo never runs as "nothing to change". */
const RegionIdSchema = z
  .string()
  .superRefine((id, ctx) => {
    const problem = regionProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // The refinement is invisible to JSON Schema; the shape of an id is what an editor can check.
  .meta({ pattern: REGION_ID_PATTERN.source });

/** A tag a resource must carry: `key`, and `value` unless any value will do. */
export const TagFilterSchema = z.strictObject({
  key: nonEmpty.describe('Tag key the resource must carry.'),
  value: z.string().optional().describe('Required value; omitted means any value.'),
});

const KeyPatternSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_KEY_PATTERN_LENGTH, `must be at most ${MAX_KEY_PATTERN_LENGTH} characters`)
  .superRefine((source, ctx) => {
    if (source.length > MAX_KEY_PATTERN_LENGTH) return;
    const problem = keyPatternProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `{ all: true }`: every tag a resource carries goes (protected and reserved keys excepted). */
export const RemoveAllSchema = z.strictObject({
  all: z
    .literal(true, 'must be true (to remove named keys, use keys or keyPatterns instead)')
    .describe('Remove every tag the resource carries (protected and reserved keys excepted).'),
});

/** `{ keys?, keyPatterns? }`, at least one of them non-empty. */
export const RemoveKeysSchema = z
  .strictObject({
    keys: z
      .array(nonEmpty)
      .max(
        POLICY_CAPS.removeKeys,
        cap(POLICY_CAPS.removeKeys, 'each exact key can cost one list stream per region and Vpc type'),
      )
      .optional()
      .describe(`Exact tag keys to remove (at most ${POLICY_CAPS.removeKeys}).`),
    keyPatterns: z
      .array(KeyPatternSchema)
      .max(POLICY_CAPS.keyPatterns, cap(POLICY_CAPS.keyPatterns, 'every key of every resource is matched against each'))
      .optional()
      .describe(
        `Regular expressions in RE2 syntax (at most ${MAX_KEY_PATTERN_LENGTH} characters; no lookaround or backreferences), found anywhere in each resource's actual keys unless anchored.`,
      ),
  })
  .refine((r) => (r.keys?.length ?? 0) + (r.keyPatterns?.length ?? 0) > 0, {
    message: 'needs at least one entry in keys or keyPatterns (or use { "all": true })',
  })
  // The refinement above is invisible to JSON Schema; this says as much as JSON Schema can.
  // Each branch names the property it requires (Ajv's strictRequired wants it defined where it is required).
  .meta({
    anyOf: [
      { required: ['keys'], properties: { keys: { type: 'array', minItems: 1 } } },
      { required: ['keyPatterns'], properties: { keyPatterns: { type: 'array', minItems: 1 } } },
    ],
  });

/** What to remove: `{ all: true }` or `{ keys?, keyPatterns? }`. */
export const RemoveSchema = z.union([RemoveAllSchema, RemoveKeysSchema]);

/** The cleanup policy, version 1: strict at every depth. */
export const PolicySchema = z.strictObject({
  $schema: z
    .string()
    .optional()
    .describe(
      'The JSON Schema this file follows (for editors; `vpc-tag-cleanup schema` prints it). Ignored by the run.',
    ),
  name: nonEmpty.max(128, 'must be at most 128 characters').describe('Name of the policy, shown in reports and logs.'),
  regions: z
    .array(RegionIdSchema)
    .min(1, 'needs at least one region')
    .max(POLICY_CAPS.regions, cap(POLICY_CAPS.regions, 'more than there are regions'))
    .describe('Region ids to clean, e.g. cn-hangzhou.'),
  resourceTypes: z
    .array(z.enum(RESOURCE_TYPE_NAMES as [ResourceType, ...ResourceType[]], 'is not a known resource type'))
    .min(1, 'needs at least one resource type')
    .max(POLICY_CAPS.resourceTypes, cap(POLICY_CAPS.resourceTypes, 'more than there are resource types'))
    .describe('Resource types to clean.'),
  match: z
    .strictObject({
      resourceIds: z
        .array(nonEmpty)
        .min(1, 'must not be empty when given')
        .max(
          POLICY_CAPS.matchResourceIds,
          cap(POLICY_CAPS.matchResourceIds, 'every 20 ids cost one list call per region and type'),
        )
        .optional()
        .describe(`Only these resource ids (at most ${POLICY_CAPS.matchResourceIds}).`),
      tags: z
        .array(TagFilterSchema)
        .min(1, 'must not be empty when given')
        .max(POLICY_CAPS.matchTags, cap(POLICY_CAPS.matchTags, 'the list APIs take at most 20 tag filters'))
        .optional()
        .describe('Only resources carrying all of these tags.'),
    })
    .refine((m) => m.resourceIds !== undefined || m.tags !== undefined, {
      message: 'needs resourceIds or tags (omit match to take every resource)',
    })
    .meta({ minProperties: 1 })
    .optional()
    .describe('Narrows the resources; omitted means every resource that carries a key to remove.'),
  remove: RemoveSchema.describe('What to remove: `{keys?, keyPatterns?}` (one non-empty) or `{all: true}`.'),
  protect: z
    .strictObject({
      keys: z
        .array(nonEmpty)
        .max(POLICY_CAPS.protectKeys, cap(POLICY_CAPS.protectKeys, 'a resource carries at most 20 tags'))
        .optional()
        .describe('Keys never removed.'),
      resourceTag: TagFilterSchema.optional().describe('A resource carrying this tag is left alone.'),
    })
    .optional()
    .describe('What is never touched.'),
  dryRun: z.boolean().default(false).describe('Discover and plan only: zero write calls.'),
  limits: z
    .strictObject({
      maxResources: z
        .number('must be a number')
        .int('must be a whole number')
        .min(1, 'must be at least 1 (a whole number of resources)')
        .optional()
        .describe('Stop before the first write when more resources would change (LIMIT_EXCEEDED).'),
      concurrency: z
        .number('must be a number')
        .int('must be a whole number from 1 to 64')
        .min(1, 'must be from 1 to 64')
        .max(64, 'must be from 1 to 64')
        .optional()
        .describe('Write calls in flight at once (1 to 64).'),
    })
    .optional()
    .describe('Safety and speed limits of the run.'),
  fanOut: z.boolean().optional().describe('Run each region in its own asynchronous invocation (FC only).'),
  accounts: AccountsSchema.optional().describe(
    'Many accounts: assume roleName in each member (ids, or the Resource Directory), one shard per account and region.',
  ),
});

/** A validated policy (defaults applied): what the engine runs. */
export type Policy = z.output<typeof PolicySchema>;
/** A policy as a user writes it (fields with defaults optional). */
export type PolicyInput = z.input<typeof PolicySchema>;
