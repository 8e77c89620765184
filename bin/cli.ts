/**
 * `vpc-tag-cleanup`: dispatches to a subcommand and answers through `Output` (bin/output.ts): under
 * `--json` one JSON document on stdout whatever happens, one-line errors on stderr, exit 2 for bad
 * input, a final newline on every path. Each subcommand lives in `bin/commands/`.
 */

import { closest } from '../lib/near-miss.ts';
import { type Command, type Io, parseCommandArgs } from './command.ts';
import { cleanupCommands } from './commands/cleanup.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { invokeCommand } from './commands/invoke.ts';
import { reportCommand } from './commands/report.ts';
import { restoreCommand, runsCommand } from './commands/restore.ts';
import { schemaCommand } from './commands/schema.ts';
import { validateCommand } from './commands/validate.ts';
import { UsageError } from './errors.ts';
import { ExitCode, Output, trackLines, wantsJson } from './output.ts';
import { VERSION } from './version.ts';

export const COMMANDS: readonly Command[] = [
  validateCommand,
  ...cleanupCommands,
  restoreCommand,
  runsCommand,
  reportCommand,
  invokeCommand,
  schemaCommand,
  emulatorCommand,
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: vpc-tag-cleanup <command> [options]

Bulk tag cleanup for Alibaba Cloud VPC-family resources (IPAM, IPAM scopes and pools, VPC peering
connections, VPCs and vSwitches...).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --json (one JSON document on stdout, errors included), --help and --version.
Run "vpc-tag-cleanup <command> --help" for a command's options.
Environment: VPC_TAG_CLEANUP_ENDPOINT (host:port of a local endpoint), VPC_TAG_CLEANUP_FC_ENDPOINT,
ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALIBABA_CLOUD_SECURITY_TOKEN,
VPC_TAG_CLEANUP_DEBUG=1 (stack traces of unexpected errors).
`;
}

function versionAnswer(out: Output): number {
  out.answer({ ok: true, name: 'vpc-tag-cleanup', version: VERSION }, `vpc-tag-cleanup ${VERSION}`);
  return ExitCode.Ok;
}

function helpAnswer(out: Output, text: string, command?: string): number {
  out.answer({ ok: true, ...(command ? { command } : {}), help: text }, text);
  return ExitCode.Ok;
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const json = wantsJson(argv);
  const [name, ...rest] = argv.filter((a, i) => !(i === 0 && a === '--json'));
  const top = new Output(io, { json });
  if (name === '--version' || name === '-V') return versionAnswer(top);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    return helpAnswer(top, topic ? topic.help : topLevelHelp(), topic?.name);
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const near = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    return top.fail(
      new UsageError(
        `unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      ),
    );
  }
  const out = new Output(io, { json, label: `vpc-tag-cleanup ${command.name}` });
  try {
    const { values, help, version } = parseCommandArgs(command, rest);
    if (version) return versionAnswer(out);
    if (help) return helpAnswer(out, command.help, command.name);
    return await command.run(values, io, out);
  } catch (e) {
    return out.fail(e);
  }
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. Never throws. */
export async function main(argv: string[], rawIo: Io): Promise<number> {
  const { io, finishLines } = trackLines(rawIo);
  try {
    return await dispatch(argv, io);
  } catch (e) {
    return new Output(io, { json: wantsJson(argv) }).fail(e);
  } finally {
    finishLines();
  }
}
