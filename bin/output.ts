/**
 * The CLI's output discipline, in one place every command uses:
 * - under `--json`, a command's answer (success, bad input or failure alike) is ONE JSON document on
 *   stdout; people's text (notes, progress, the one-line error) goes to stderr;
 * - without it, the answer is text on stdout and errors are one line (plus one per issue) on stderr;
 * - every stream the CLI wrote to ends on a newline, whatever path the command left by;
 * - no stack trace unless `VPC_TAG_CLEANUP_DEBUG=1`.
 *
 * A command throws a `CliError` (or lets a library error through); `main` turns it into the answer
 * with `describeError`, so the error shape `{ ok: false, error: { code, message, issues } }` is the
 * same for every command (DESIGN.md "Bad input").
 */
import type { Io } from './command.ts';
import { describeError, oneLine } from './describe-error.ts';
import { ExitCode, type InputIssue } from './errors.ts';

/** The JSON answer of every failed command (DESIGN.md "Bad input"). */
export interface ErrorAnswer {
  ok: false;
  error: { code: string; message: string; issues: InputIssue[] };
}

type Stream = Io['stdout'];

/** What bin/format/progress.ts writes to erase its line: the cursor is back at column 0. */
const ERASED_LINE = '\r\x1b[K';

/**
 * A stream that remembers whether its output ends at the start of a line, so `finish()` can add the
 * final newline a shell prompt needs. An erased progress line (`\r` + clear) counts as a line start.
 */
export class LineTrackingStream {
  readonly #inner: Stream;
  #atLineStart = true;

  constructor(inner: Stream) {
    this.#inner = inner;
  }

  get isTTY(): boolean | undefined {
    return this.#inner.isTTY;
  }

  get columns(): number | undefined {
    return (this.#inner as { columns?: number }).columns;
  }

  write(chunk: string | Uint8Array): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.length > 0) this.#atLineStart = text.endsWith('\n') || text.endsWith('\r') || text.endsWith(ERASED_LINE);
    return this.#inner.write(chunk);
  }

  /** Ends the output on a newline if it does not already. */
  finish(): void {
    if (!this.#atLineStart) this.write('\n');
  }
}

/** Wraps both streams of `io` so that `finishLines` can end each on a newline. */
export function trackLines(io: Io): { io: Io; finishLines(): void } {
  const stdout = new LineTrackingStream(io.stdout);
  const stderr = new LineTrackingStream(io.stderr);
  return {
    io: { ...io, stdout: stdout as unknown as Stream, stderr: stderr as unknown as Stream },
    finishLines() {
      stdout.finish();
      stderr.finish();
    },
  };
}

/** Where a command's answer and notes go, decided once from `--json`. */
export class Output {
  readonly json: boolean;
  readonly #io: Io;
  readonly #label: string;
  #answered = false;

  /** `label` prefixes error lines: `vpc-tag-cleanup plan`. */
  constructor(io: Io, options: { json: boolean; label?: string }) {
    this.#io = io;
    this.json = options.json;
    this.#label = options.label ?? 'vpc-tag-cleanup';
  }

  /** Whether the command already gave its answer (a second answer would break `--json`). */
  get answered(): boolean {
    return this.#answered;
  }

  /**
   * The command's answer: `doc` as one JSON document under `--json`, else `text` on stdout. `text` may
   * be a function so the table is only rendered when someone reads it.
   */
  answer(doc: unknown, text: string | (() => string)): void {
    if (this.#answered) throw new Error('a command answers once');
    this.#answered = true;
    if (this.json) this.#io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else {
      const t = typeof text === 'function' ? text() : text;
      this.#io.stdout.write(t.endsWith('\n') || t === '' ? t : `${t}\n`);
    }
  }

  /** A line for people (a note, a warning): always stderr, so stdout stays the answer. */
  note(line: string): void {
    this.#io.stderr.write(`${oneLine(line)}\n`);
  }

  /**
   * Answers with the error `e` and returns its exit code: the one-line message (and one line per
   * issue) on stderr, and under `--json` the `ErrorAnswer` on stdout.
   */
  fail(e: unknown): ExitCode {
    const d = describeError(e);
    // Usage messages already start with the command's name (`plan: --policy is required`): say it once.
    const command = this.#label.split(' ')[1];
    if (command && d.message.startsWith(`${command}: `)) d.message = d.message.slice(command.length + 2);
    const lines = [`${this.#label}: ${d.message}`, ...d.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`)];
    if (d.hint) lines.push(d.hint);
    this.#io.stderr.write(`${lines.join('\n')}\n`);
    if (this.#io.env.VPC_TAG_CLEANUP_DEBUG === '1' && e instanceof Error && e.stack)
      this.#io.stderr.write(`${e.stack}\n`);
    if (this.json && !this.#answered) {
      this.#answered = true;
      const doc: ErrorAnswer = { ok: false, error: { code: d.code, message: d.message, issues: d.issues } };
      this.#io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return d.exitCode;
  }
}

/** `--json` anywhere before a `--` terminator: known even when the rest of the arguments do not parse. */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json' || a === '--json=true') return true;
  }
  return false;
}

export { ExitCode, oneLine };
