/**
 * Reads a policy file (JSON, or YAML for `.yaml`/`.yml`) into a plain value. Syntax errors become a
 * `BadPolicyError` naming the file and line; validation against the schema is the engine's `parsePolicy`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { POLICY_CAPS } from '../lib/catalog.ts';
import { parseJsonText } from '../lib/policy/json-text.ts';
import { BadPolicyError } from './errors.ts';

/** Aliases a YAML policy may expand: a real policy needs a handful; a bomb needs thousands. */
const MAX_YAML_ALIASES = 100;

export type PolicyFormat = 'json' | 'yaml';

export function formatOf(file: string): PolicyFormat {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
}

/** Parses text in the given format; throws `BadPolicyError` with the position of a syntax error. */
export function parsePolicyText(text: string, format: PolicyFormat, label: string): unknown {
  if (format === 'yaml') {
    try {
      // Plain data only: no custom tags, duplicate keys are errors (as in JSON.parse they silently win);
      // an alias bomb ("billion laughs") stops at the library's alias budget.
      return parseYaml(text, { uniqueKeys: true, prettyErrors: true, maxAliasCount: MAX_YAML_ALIASES });
    } catch (e) {
      if (e instanceof YAMLParseError) {
        const pos = e.linePos?.[0];
        const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
        throw new BadPolicyError(`${label}: not valid YAML${at}: ${e.message.split('\n')[0]}`, [], { cause: e });
      }
      // Any other failure of the parser (the alias budget's ReferenceError) is still bad input, not a crash.
      const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      throw new BadPolicyError(`${label}: not a usable YAML policy: ${first}`, [], { cause: e });
    }
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new BadPolicyError(`${label}: not valid JSON: ${parsed.message}`, []);
  return parsed.value;
}

/** Reads and parses a policy file; `-` reads standard input. */
export async function readPolicyFile(file: string, stdin: () => Promise<string> = readStdin): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await stdin() : await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadPolicyError(`${file}: cannot read the policy file${code ? ` (${code})` : ''}`, [], { cause: e });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > POLICY_CAPS.policyBytes)
    throw new BadPolicyError(
      `${file}: is ${bytes} bytes; a policy may be at most ${POLICY_CAPS.policyBytes} bytes`,
      [],
    );
  // A leading `{` means JSON whatever the extension says; stdin has no extension.
  const format =
    file === '-'
      ? text
          .replace(/^\uFEFF/, '')
          .trimStart()
          .startsWith('{')
        ? 'json'
        : 'yaml'
      : formatOf(file);
  return parsePolicyText(text, format, file === '-' ? 'stdin' : file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
