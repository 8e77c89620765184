/**
 * Registered functions: a module path and an export, loaded at run time by path (never imported
 * statically: the emulator must not know the engine's code, DESIGN.md "two walls").
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FcFunctionSpec } from '../contracts.ts';

/** What `register()` and `POST /__admin/functions` accept (the contract's `FcFunctionSpec`). */
export type FunctionSpec = FcFunctionSpec;

export type FunctionConfig = Required<FunctionSpec>;

export type FcHandler = (event: Buffer, context: unknown) => unknown;

export class FunctionSpecError extends Error {
  override readonly name = 'FunctionSpecError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

function intIn(v: unknown, field: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new FunctionSpecError(`${field} must be a number in [${min}, ${max}]`);
  }
  return v;
}

/** Validate a spec (from code or an admin JSON body) and fill the defaults. */
export function toFunctionConfig(input: unknown): FunctionConfig {
  if (typeof input !== 'object' || input === null) throw new FunctionSpecError('spec must be an object');
  const s = input as Record<string, unknown>;
  const known = new Set([
    'name',
    'modulePath',
    'exportName',
    'timeoutSeconds',
    'memoryMB',
    'env',
    'maxAsyncRetryAttempts',
    'asyncConcurrency',
  ]);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new FunctionSpecError(`unknown field ${k}`);
  if (typeof s.name !== 'string' || !NAME.test(s.name)) {
    throw new FunctionSpecError('name must match [A-Za-z_][A-Za-z0-9_-]{0,127}');
  }
  if (typeof s.modulePath !== 'string' || s.modulePath === '') {
    throw new FunctionSpecError('modulePath must be a non-empty string');
  }
  if (s.exportName !== undefined && typeof s.exportName !== 'string') {
    throw new FunctionSpecError('exportName must be a string');
  }
  const env: Record<string, string> = {};
  if (s.env !== undefined) {
    if (typeof s.env !== 'object' || s.env === null) throw new FunctionSpecError('env must be an object');
    for (const [k, v] of Object.entries(s.env)) {
      if (typeof v !== 'string') throw new FunctionSpecError(`env.${k} must be a string`);
      env[k] = v;
    }
  }
  return {
    name: s.name,
    modulePath: isAbsolute(s.modulePath) ? s.modulePath : resolve(s.modulePath),
    exportName: (s.exportName as string | undefined) ?? 'handler',
    // Fractions allowed so tests can time out quickly; FC itself takes whole seconds 1-86400.
    timeoutSeconds: intIn(s.timeoutSeconds, 'timeoutSeconds', 0.001, 86_400, 60),
    memoryMB: intIn(s.memoryMB, 'memoryMB', 128, 32_768, 512),
    env,
    // FC allows 0-8 async retries (reference section 6); default 3.
    maxAsyncRetryAttempts: intIn(s.maxAsyncRetryAttempts, 'maxAsyncRetryAttempts', 0, 8, 3),
    asyncConcurrency: intIn(s.asyncConcurrency, 'asyncConcurrency', 1, 1_000, 4),
  };
}

/**
 * Load the handler. A CommonJS bundle (`dist/index.js` beside `{"type":"commonjs"}`) comes back from
 * `import()` with `module.exports` under `default`, hence the fallback.
 */
export async function loadHandler(config: FunctionConfig): Promise<FcHandler> {
  let mod: Record<string, unknown> & { default?: Record<string, unknown> };
  try {
    mod = (await import(pathToFileURL(config.modulePath).href)) as typeof mod;
  } catch (e) {
    // A path that does not load is the caller's mistake (400), not the emulator's failure.
    const detail = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new FunctionSpecError(`modulePath ${config.modulePath} does not load: ${detail}`, { cause: e });
  }
  const fn = mod[config.exportName] ?? mod.default?.[config.exportName];
  if (typeof fn !== 'function') {
    throw new FunctionSpecError(`${config.modulePath} has no function export '${config.exportName}'`);
  }
  return fn as FcHandler;
}
