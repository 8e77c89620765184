/** Runs the CLI's `main` in this process with captured, non-TTY stdout and stderr (the CLI tests' one runner). */
import { main } from '../../../bin/cli.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const sink = () => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY: false, write: (c: string) => chunks.push(String(c)) } };
  };
  const out = sink();
  const err = sink();
  const code = await main(args, {
    stdout: out.stream as unknown as NodeJS.WritableStream,
    stderr: err.stream as unknown as NodeJS.WritableStream,
    env,
  });
  return { code, stdout: out.chunks.join(''), stderr: err.chunks.join('') };
}
