/**
 * Reads a policy file (JSON, or YAML for `.yaml`/`.yml`) into a plain value. Syntax errors become a
 * `BadPolicyError` naming the file and line; validation against the schema is the engine's `parsePolicy`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { BadPolicyError } from './errors.ts';

export type PolicyFormat = 'json' | 'yaml';

export function formatOf(file: string): PolicyFormat {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
}

/** Parses text in the given format; throws `BadPolicyError` with the position of a syntax error. */
export function parsePolicyText(text: string, format: PolicyFormat, label: string): unknown {
  if (format === 'yaml') {
    try {
      // Plain data only: no custom tags, duplicate keys are errors (as in JSON.parse they silently win).
      return parseYaml(text, { uniqueKeys: true, prettyErrors: true });
    } catch (e) {
      if (e instanceof YAMLParseError) {
        const pos = e.linePos?.[0];
        const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
        throw new BadPolicyError(`${label}: not valid YAML${at}: ${e.message.split('\n')[0]}`, [], { cause: e });
      }
      throw e;
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BadPolicyError(`${label}: not valid JSON: ${(e as Error).message}`, [], { cause: e });
  }
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
  // A leading `{` means JSON whatever the extension says; stdin has no extension.
  const format = file === '-' ? (text.trimStart().startsWith('{') ? 'json' : 'yaml') : formatOf(file);
  return parsePolicyText(text, format, file === '-' ? 'stdin' : file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
