/** `vpc-tag-cleanup schema`: the policy's JSON Schema, so editors can complete and check policy files. */
import type { Command } from '../command.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the policy JSON Schema',
  help: `Usage: vpc-tag-cleanup schema

Prints the JSON Schema of a cleanup policy (version 1) on stdout. Point your editor at it, e.g. in
VS Code settings: "json.schemas": [{ "fileMatch": ["policies/*.json"], "url": "./policy.schema.json" }]
after \`npx vpc-tag-cleanup schema > policy.schema.json\`.
`,
  options: {},
  async run(_values, _io, out) {
    const { policyJsonSchema } = await import('../../lib/policy/json-schema.ts');
    const schema = policyJsonSchema();
    // The schema is JSON already: --json changes nothing, so `schema --json > f` and `schema > f` agree.
    out.answer(schema, `${JSON.stringify(schema, null, 2)}\n`);
    return 0;
  },
};
