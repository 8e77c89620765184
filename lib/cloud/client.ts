/**
 * The CloudPort on the official SDK: the OpenAPI client of `@alicloud/openapi-core` (the base class of
 * `@alicloud/vpc20160428`'s client) and its generic `callApi` reach VpcIpam and VpcPeer as well as Vpc
 * (their own SDK packages are not published). Only `callApi` is used, with an explicit endpoint, so the
 * Vpc package's ~1,200 typed models are not loaded: that saves ~3 MB of bundle and most of a cold start. One SDK client per
 * (product, host, credentials identity), cached. SDK retries stay off: `lib/execute/` retries, counts,
 * and rate-limits. Facts: reference/alibaba-openapi.md sections 11-12.
 */
import { createHash } from 'node:crypto';
import OpenApiModule, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { PRODUCTS, type ProductId, TUNING, type Tuning } from '../catalog.ts';
import { rememberSecrets } from '../secrets.ts';
import type { CloudCredentials, CredentialsSource } from './credentials.ts';
import { toCloudCallError } from './normalize-error.ts';
import type { CallOptions, CallResult, CloudPort } from './port.ts';

// Under ESM the default import is the CommonJS module.exports object; the class is its `.default`.
type VpcClass = typeof OpenApiModule.default;
const Vpc = ((OpenApiModule as unknown as { default?: VpcClass }).default ?? OpenApiModule) as VpcClass;
type SdkClient = InstanceType<VpcClass>;

export interface CloudPortOptions {
  credentials: CredentialsSource;
  /** `host:port` (no scheme): every product, over plain HTTP (VPC_TAG_CLEANUP_ENDPOINT, the emulator). */
  endpoint?: string;
  tuning?: Partial<Tuning>;
}

const paramsCache = new Map<string, $OpenApiUtil.Params>();

/** The SDK's description of one RPC action (the same for every call of it, so made once per process). */
function paramsFor(product: ProductId, action: string): $OpenApiUtil.Params {
  const key = `${product}:${action}`;
  let p = paramsCache.get(key);
  if (!p) {
    p = new $OpenApiUtil.Params({
      action,
      version: PRODUCTS[product].version,
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    paramsCache.set(key, p);
  }
  return p;
}

/** Builds the port. Nothing is contacted until the first call. */
export function createCloudPort(opts: CloudPortOptions): CloudPort {
  const tuning = { ...TUNING, ...opts.tuning };
  const endpoint = opts.endpoint ? stripScheme(opts.endpoint) : undefined;
  const clients = new Map<string, SdkClient>();

  const credentialsNow = async (): Promise<CloudCredentials> =>
    typeof opts.credentials === 'function' ? opts.credentials() : opts.credentials;

  const clientFor = (product: ProductId, host: string, creds: CloudCredentials): SdkClient => {
    // The identity is the key id plus a hash of the token: secrets never become part of a readable key.
    const identity = `${creds.accessKeyId}:${creds.securityToken ? createHash('sha256').update(creds.securityToken).digest('hex').slice(0, 16) : ''}`;
    const key = `${product}|${host}|${identity}`;
    let client = clients.get(key);
    if (!client) {
      // Every scrub of a report or log line from now on knows these values, whatever encoding echoes them.
      rememberSecrets(creds.accessKeySecret, creds.securityToken);
      const config: Record<string, unknown> = {
        accessKeyId: creds.accessKeyId,
        accessKeySecret: creds.accessKeySecret,
        endpoint: host,
        protocol: endpoint ? 'HTTP' : 'HTTPS',
        connectTimeout: tuning.connectTimeoutMs,
        readTimeout: tuning.readTimeoutMs,
      };
      if (creds.securityToken) config.securityToken = creds.securityToken;
      client = new Vpc(new $OpenApiUtil.Config(config));
      clients.set(key, client);
    }
    return client;
  };

  return {
    async call(product, region, action, params, options: CallOptions = {}): Promise<CallResult> {
      options.signal?.throwIfAborted();
      let creds: CloudCredentials | undefined;
      try {
        creds = await credentialsNow();
        const host = endpoint ?? PRODUCTS[product].endpoint(region);
        const client = clientFor(product, host, creds);
        const query: Record<string, unknown> = {};
        const body: Record<string, unknown> = {};
        const inBody = new Set(options.bodyParams ?? []);
        for (const [k, v] of Object.entries(params)) (inBody.has(k) ? body : query)[k] = v;
        const request = new $OpenApiUtil.OpenApiRequest(
          inBody.size > 0
            ? { query: OpenApiUtil.query(query), body: OpenApiUtil.query(body) }
            : { query: OpenApiUtil.query(query) },
        );
        // Runtime options win over the config in openapi-core: set both timeouts here too (httpx uses the
        // connect timeout as the socket idle timeout, so a lone readTimeout still fails at 3 s).
        const bound = options.timeoutMs !== undefined ? Math.max(1, Math.floor(options.timeoutMs)) : Infinity;
        const runtime = new $dara.RuntimeOptions({
          connectTimeout: Math.min(tuning.connectTimeoutMs, bound),
          readTimeout: Math.min(tuning.readTimeoutMs, bound),
        });
        const pending = client.callApi(paramsFor(product, action), request, runtime);
        const res = (await (options.signal ? raceAbort(pending, options.signal) : pending)) as { body?: unknown };
        const resBody = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
        return { requestId: typeof resBody.RequestId === 'string' ? resBody.RequestId : '', body: resBody };
      } catch (err) {
        if (options.signal?.aborted && err === options.signal.reason) throw err;
        throw toCloudCallError(err, {
          product,
          action,
          region,
          secrets: creds ? [creds.accessKeySecret, creds.securityToken] : [],
        });
      }
    },
  };
}

function stripScheme(endpoint: string): string {
  // openapi-core wants host[:port]: a scheme here yields http://http//... and ENOTFOUND.
  return endpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
