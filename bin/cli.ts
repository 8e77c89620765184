/**
 * `vpc-tag-cleanup`: dispatches to a subcommand, turns CLI errors into their exit codes, and keeps
 * stack traces for the unexpected. Each subcommand lives in `bin/commands/`.
 */
import { type Command, type Io, parseCommandArgs } from './command.ts';
import { cleanupCommands } from './commands/cleanup.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { invokeCommand } from './commands/invoke.ts';
import { schemaCommand } from './commands/schema.ts';
import { ExitCode, isCliError } from './errors.ts';
import { renderIssues } from './format/table.ts';

export const COMMANDS: readonly Command[] = [...cleanupCommands, invokeCommand, schemaCommand, emulatorCommand];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: vpc-tag-cleanup <command> [options]

Bulk tag cleanup for Alibaba Cloud VPC-family resources (IPAM, IPAM scopes and pools, VPC peering
connections, VPCs and vSwitches...).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "vpc-tag-cleanup <command> --help" for a command's options.
Environment: VPC_TAG_CLEANUP_ENDPOINT (host:port of a local endpoint), VPC_TAG_CLEANUP_FC_ENDPOINT,
ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALIBABA_CLOUD_SECURITY_TOKEN.
`;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? topic.help : topLevelHelp());
    return ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`vpc-tag-cleanup: unknown command '${name}'\n\n${topLevelHelp()}`);
    return ExitCode.BadInput;
  }
  try {
    const { values, help } = parseCommandArgs(command, rest);
    if (help) {
      io.stdout.write(command.help);
      return ExitCode.Ok;
    }
    return await command.run(values, io);
  } catch (e) {
    if (isCliError(e)) {
      const issues = (e as { issues?: Array<{ path: string; message: string }> }).issues ?? [];
      io.stderr.write(renderIssues(`vpc-tag-cleanup ${command.name}: ${e.message}`, issues));
      return e.exitCode;
    }
    io.stderr.write(`vpc-tag-cleanup ${command.name}: ${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.PartialFailure;
  }
}
