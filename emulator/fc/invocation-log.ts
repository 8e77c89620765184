/** The `context.logger` of one invocation: FC-style prefixed lines kept in memory (and optionally echoed). */

export interface InvocationLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

/** Bytes of log kept per invocation; older lines are dropped (FC's tail is only 4 KB anyway). */
const MAX_LOG_BYTES = 256 * 1024;
/** `X-Fc-Log-Result` carries the last 4 KB (reference section 2). */
export const LOG_TAIL_BYTES = 4 * 1024;

function format(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.stack ?? `${arg.name}: ${arg.message}`;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

export class InvocationLog {
  private lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly requestId: string,
    private readonly echo: boolean,
  ) {}

  write(level: string, args: unknown[]): void {
    const line = `${new Date().toISOString()} ${this.requestId} [${level}] ${args.map(format).join(' ')}\n`;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line);
    while (this.bytes > MAX_LOG_BYTES && this.lines.length > 1) {
      this.bytes -= Buffer.byteLength(this.lines.shift() as string);
    }
    if (this.echo) process.stdout.write(line);
  }

  logger(): InvocationLogger {
    return {
      debug: (...a) => this.write('DEBUG', a),
      info: (...a) => this.write('INFO', a),
      warn: (...a) => this.write('WARN', a),
      error: (...a) => this.write('ERROR', a),
      log: (...a) => this.write('INFO', a),
    };
  }

  text(): string {
    return this.lines.join('');
  }

  /** Base64 of the last 4 KB, as `X-Fc-Log-Result`. */
  tailBase64(): string {
    const all = Buffer.from(this.text(), 'utf8');
    return all.subarray(Math.max(0, all.length - LOG_TAIL_BYTES)).toString('base64');
  }
}
