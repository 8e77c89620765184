/**
 * Which invoker serves this process, by configuration:
 *
 * | variable | values | meaning |
 * |---|---|---|
 * | `VPC_TAG_CLEANUP_FC_API` | `2023-03-30` (default) \| `2016-08-15` | FC 3.0 `/2023-03-30/functions/{fn}/invocations`, or the 2.0 service path |
 * | `VPC_TAG_CLEANUP_FC_SERVICE` | a service name | the 2016-08-15 API's service (inside FC, default the context's `service.name`) |
 * | `VPC_TAG_CLEANUP_FC_SIGNATURE` | `auto` (default) \| `acs3` \| `fc` | on 2023-03-30: ACS3 through `@alicloud/fc20230330`, FC's scheme through `@alicloud/fc2`, or ACS3 first and the FC scheme once when the gateway refuses the scheme |
 *
 * `auto` exists because the docs leave open which scheme the 3.0 gateway takes (open-points.md): a scheme
 * refusal (`SignatureNotMatch` / `IncompleteSignature`) means nothing ran, so the same call (same task id)
 * is sent once in the other scheme, and the one that worked is used first from then on in this process.
 * SDKs load on first call, so a run that neither fans out nor continues loads neither.
 */
import { SIGNATURE_SCHEME_REFUSALS } from './failure.ts';
import type { InvokerOptions } from './options.ts';
import type { InvokeFailure, InvokeOutcome, Invoker, SyncOutcome } from './port.ts';

export type { InvokerOptions } from './options.ts';
export type { InvokeFailure, InvokeOutcome, Invoker, SyncOutcome } from './port.ts';

export const FC_APIS = ['2023-03-30', '2016-08-15'] as const;
export const FC_SIGNATURES = ['auto', 'acs3', 'fc'] as const;

export type InvokerConfig =
  | { api: '2023-03-30'; signature: (typeof FC_SIGNATURES)[number] }
  | { api: '2016-08-15'; service: string };

export interface InvokerEnv {
  VPC_TAG_CLEANUP_FC_API?: string | undefined;
  VPC_TAG_CLEANUP_FC_SERVICE?: string | undefined;
  VPC_TAG_CLEANUP_FC_SIGNATURE?: string | undefined;
  /** Any other variable (so `process.env` is one). */
  [name: string]: string | undefined;
}

/** The invoker configuration, or what is wrong with it (naming the variable). */
export function invokerConfigFromEnv(
  env: InvokerEnv,
  defaultService?: string,
): { ok: true; config: InvokerConfig } | { ok: false; variable: string; message: string } {
  const api = env.VPC_TAG_CLEANUP_FC_API || '2023-03-30';
  if (!(FC_APIS as readonly string[]).includes(api))
    return {
      ok: false,
      variable: 'VPC_TAG_CLEANUP_FC_API',
      message: `VPC_TAG_CLEANUP_FC_API must be one of ${FC_APIS.join(' | ')}, got ${JSON.stringify(api)}`,
    };
  if (api === '2016-08-15') {
    const service = env.VPC_TAG_CLEANUP_FC_SERVICE || defaultService;
    if (!service)
      return {
        ok: false,
        variable: 'VPC_TAG_CLEANUP_FC_SERVICE',
        message: 'VPC_TAG_CLEANUP_FC_SERVICE is required with VPC_TAG_CLEANUP_FC_API=2016-08-15 (the service name)',
      };
    return { ok: true, config: { api, service } };
  }
  const signature = env.VPC_TAG_CLEANUP_FC_SIGNATURE || 'auto';
  if (!(FC_SIGNATURES as readonly string[]).includes(signature))
    return {
      ok: false,
      variable: 'VPC_TAG_CLEANUP_FC_SIGNATURE',
      message: `VPC_TAG_CLEANUP_FC_SIGNATURE must be one of ${FC_SIGNATURES.join(' | ')}, got ${JSON.stringify(signature)}`,
    };
  return { ok: true, config: { api: '2023-03-30', signature: signature as (typeof FC_SIGNATURES)[number] } };
}

type Scheme = 'acs3' | 'fc';
// What `auto` learned in this process: the scheme the 3.0 gateway took last.
let learned: Scheme = 'acs3';

function lazy(load: () => Promise<Invoker>): Invoker {
  let loaded: Promise<Invoker> | undefined;
  const get = () => {
    loaded ??= load();
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };
  const unloadable = (error: unknown): InvokeFailure => ({
    status: 'failed',
    code: 'InvokerUnavailable',
    message: `the FC SDK could not be loaded: ${(error as Error)?.message ?? error}`,
    retryable: true,
  });
  return {
    invokeAsync: (name, payload, taskId) =>
      get().then(
        (i) => i.invokeAsync(name, payload, taskId),
        (e) => ({ ...unloadable(e), ...(taskId !== undefined ? { taskId } : {}) }),
      ),
    invokeSync: (name, payload) =>
      get().then(
        (i) => i.invokeSync(name, payload),
        (e) => unloadable(e),
      ),
  };
}

const schemeRefused = (o: InvokeOutcome | SyncOutcome) =>
  o.status === 'failed' && SIGNATURE_SCHEME_REFUSALS.has(o.code);

/** Try the learned scheme, then the other once when the first is refused as a scheme. */
function autoScheme(byScheme: Record<Scheme, Invoker>): Invoker {
  const attempt = async <T extends InvokeOutcome | SyncOutcome>(send: (i: Invoker) => Promise<T>): Promise<T> => {
    const first = learned;
    const out = await send(byScheme[first]);
    if (!schemeRefused(out)) return out;
    const other: Scheme = first === 'acs3' ? 'fc' : 'acs3';
    const again = await send(byScheme[other]);
    // Both refused: answer the ACS3 refusal (the scheme the 3.0 API documents).
    if (schemeRefused(again)) return first === 'acs3' ? out : again;
    learned = other;
    return again;
  };
  return {
    invokeAsync: (name, payload, taskId) => attempt((i) => i.invokeAsync(name, payload, taskId)),
    invokeSync: (name, payload) => attempt((i) => i.invokeSync(name, payload)),
  };
}

/** The invoker for this configuration. Nothing loads or connects until the first call. */
export function createInvoker(options: InvokerOptions, config: InvokerConfig): Invoker {
  const fc3 = () => lazy(async () => (await import('./fc3.ts')).createFc3Invoker(options));
  const fc2 = (route: Parameters<typeof import('./fc2.ts').createFc2Invoker>[1]) =>
    lazy(async () => (await import('./fc2.ts')).createFc2Invoker(options, route));
  if (config.api === '2016-08-15') return fc2({ api: '2016-08-15', service: config.service });
  if (config.signature === 'acs3') return fc3();
  if (config.signature === 'fc') return fc2({ api: '2023-03-30' });
  return autoScheme({ acs3: fc3(), fc: fc2({ api: '2023-03-30' }) });
}
