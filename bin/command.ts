/**
 * What every subcommand is: a name, its help, its options for `node:util` parseArgs, and a `run` that
 * returns the exit code. Streams and environment come in through `Io`, so a command never reaches for
 * globals and tests could drive it in-process.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import type { Output } from './output.ts';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Full help text, printed by `<command> --help`. */
  help: string;
  options: OptionSpec;
  /** Whether the command takes positional arguments (none do yet). */
  positionals?: boolean;
  /**
   * Does the work and returns the exit code. Give the answer through `out.answer(doc, text)` (one JSON
   * document under `--json`, text otherwise) and notes through `out.note`; throw a `CliError` for bad
   * input, and `main` answers it (bin/output.ts). `--json`, `--help` and `--version` are every command's.
   */
  run(values: Record<string, string | boolean | undefined>, io: Io, out: Output): Promise<number>;
}

/** Options every command takes; `main` handles `help` and `version`, `out.json` reflects `json`. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  version: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Parses a command's arguments strictly: an unknown option or a missing value is a `UsageError`. */
export function parseCommandArgs(
  command: Command,
  argv: string[],
): { values: Record<string, string | boolean | undefined>; help: boolean; version: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, ...COMMON_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0 && !command.positionals)
      throw new UsageError(
        `${command.name}: unexpected argument '${positionals[0]}' (see vpc-tag-cleanup ${command.name} --help)`,
      );
    const { help, version, ...rest } = values as Record<string, string | boolean | undefined>;
    return { values: rest, help: help === true, version: version === true };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // parseArgs throws TypeError with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION; its message names the option.
    throw new UsageError(`${command.name}: ${(e as Error).message} (see vpc-tag-cleanup ${command.name} --help)`, {
      cause: e,
    });
  }
}

/** A required string option, or a `UsageError` naming it. */
export function requireString(
  command: string,
  values: Record<string, string | boolean | undefined>,
  name: string,
): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new UsageError(`${command}: --${name} is required (see vpc-tag-cleanup ${command} --help)`);
  return v;
}

/** An optional positive integer option, or a `UsageError` naming it. */
export function optionalPositiveInt(
  command: string,
  values: Record<string, string | boolean | undefined>,
  name: string,
): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 1)
    throw new UsageError(`${command}: --${name} must be a positive integer, got '${String(v)}'`);
  return n;
}
