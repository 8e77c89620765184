/**
 * The one port through which the engine talks to the cloud. Implemented on the official SDK in
 * `lib/cloud/client.ts`; the emulator speaks the same wire protocol, so the same code runs against both.
 */
import type { ProductId } from '../catalog.ts';

export interface CallOptions {
  /** Parameters sent in an x-www-form-urlencoded body instead of the query. */
  bodyParams?: readonly string[];
  signal?: AbortSignal;
  /** At most this long for the call (connect and read): the time its invocation has left. */
  timeoutMs?: number;
}

export interface CallResult {
  requestId: string;
  body: Record<string, unknown>;
}

export interface CloudPort {
  /**
   * One OpenAPI call. `params` are flattened as the SDK does (`ResourceId: ['a']` -> `ResourceId.1=a`).
   * Rejects with a `CloudCallError` (lib/errors.ts) carrying `{code, statusCode, requestId, retryable}`.
   */
  call(
    product: ProductId,
    region: string,
    action: string,
    params: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallResult>;
}
