/**
 * Child processes for the benchmarks: the emulator (so its memory and CPU are not the engine's) and
 * one-shot engine runs (so the engine's peak RSS is measured alone). Children run under tsx from this
 * repository, and are ended by their own pid when the parent is done.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EmulatorAdmin } from './admin.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// `node --import tsx` rather than the tsx CLI: one process, so its pid, RSS and signals are the script's.
const NODE_ARGS = ['--import', 'tsx'];

export interface EmulatorProcess {
  url: string;
  endpoint: string;
  pid: number;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

/** Starts `bench/child/emulator.ts` and resolves once it listens. */
export async function spawnEmulator(
  options: { quotaScale?: number; quotas?: boolean; maxOldSpaceMB?: number } = {},
): Promise<EmulatorProcess> {
  const { maxOldSpaceMB, ...emuOptions } = options;
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      `--max-old-space-size=${maxOldSpaceMB ?? 4096}`,
      'bench/child/emulator.ts',
      JSON.stringify(emuOptions),
    ],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const ready = await firstLine(child, 'READY ', 60_000);
  const info = JSON.parse(ready) as { url: string; endpoint: string };
  return {
    url: info.url,
    endpoint: info.endpoint,
    pid: child.pid ?? -1,
    admin: new EmulatorAdmin(info.url),
    close: () => endChild(child),
  };
}

export interface ChildResult<T> {
  result: T;
  wallMs: number;
}

/**
 * Runs a one-shot script under tsx with a JSON argument; the script prints `RESULT {json}` as its last
 * word. Rejects when it exits without one.
 */
export async function runChild<T>(
  script: string,
  arg: unknown,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<ChildResult<T>> {
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_ARGS, ...(opts.nodeArgs ?? []), script, JSON.stringify(arg)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const line = await firstLine(child, 'RESULT ', opts.timeoutMs ?? 600_000);
    await exited;
    return { result: JSON.parse(line) as T, wallMs: performance.now() - started };
  } catch (err) {
    await endChild(child);
    throw new Error(`${script} failed: ${(err as Error).message}\n${stderr}`);
  }
}

function firstLine(child: ChildProcess, prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('child has no stdout'));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`no ${prefix.trim()} line within ${timeoutMs} ms`)), timeoutMs);
    lines.on('line', (line) => {
      if (line.startsWith(prefix)) {
        clearTimeout(timer);
        resolve(line.slice(prefix.length));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with code ${code} before ${prefix.trim()}`));
    });
  });
}

/** Ends one child by its own handle: stdin closed, then SIGTERM, then SIGKILL. */
function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.on('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
