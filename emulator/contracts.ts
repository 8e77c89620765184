/**
 * Seams between the parts of the emulator: the HTTP server (server.ts), the OpenAPI side (openapi/),
 * and the FC side (fc/). The emulator never imports lib/ (DESIGN.md "two walls").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Behaviour } from './behaviour.ts';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Who may call: the long-term key given at start, plus STS-style sessions the emulator issues. */
export interface CredentialStore {
  /** The secret for an access key id, or undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  /** Whether a security token is valid for an STS access key id (false for a long-term key). */
  tokenMatches(accessKeyId: string, securityToken: string | undefined): boolean;
  /**
   * Issue STS-style credentials that this emulator accepts (FC invocation contexts, STS AssumeRole):
   * in the caller's account unless `accountId` names another, for the store's TTL unless `ttlMs` says.
   */
  issueSession(options?: { accountId?: string; ttlMs?: number }): Required<Credentials> & { expiresAt: number };
  /** The account an access key belongs to (the long-term key: the emulator's account), or undefined. */
  accountOf(accessKeyId: string): string | undefined;
}

/** A request already read: the body is buffered so it can be hashed for signature checks. */
export interface ReadRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  url: URL;
}

/** A part of the emulator that may answer a request. Resolves true when it answered. */
export type RouteHandler = (r: ReadRequest) => Promise<boolean>;

export interface FcServiceOptions {
  credentials: CredentialStore;
  accountId: string;
  region: string;
  /** The emulator's own `host:port`, known once listening (functions reach the cloud through it). */
  endpoint: () => string;
  /** The emulator's behaviour switches (`fcInvokeSignature`); read on each call. */
  behaviour?: Behaviour;
}

export interface FcService {
  /** FC invoke paths (`/2023-03-30/...`, `/2016-08-15/...`) and `/__admin/functions|invocations`. */
  handle: RouteHandler;
  /** Forget invocations and registered functions. */
  reset(): void;
  /** Wait for queued async invocations to settle, then stop. */
  close(): Promise<void>;
  /** Register (or replace) a function; same JSON as `POST /__admin/functions`. Returns it with defaults. */
  register(spec: FcFunctionSpec): Required<FcFunctionSpec>;
  /** Invocations remembered, newest last (with logs). */
  invocations(filter?: { functionName?: string; status?: string }): FcInvocation[];
  /** Resolve true once no async invocation is queued, waiting to retry or running; false on timeout. */
  idle(timeoutMs?: number): Promise<boolean>;
}

/** A function the FC side runs in-process: a module path and an export, loaded at run time. */
export interface FcFunctionSpec {
  name: string;
  /** Absolute, or relative to the emulator's working directory. */
  modulePath: string;
  /** Default `handler`. */
  exportName?: string;
  /** Default 60. */
  timeoutSeconds?: number;
  /** Default 512. */
  memoryMB?: number;
  /** Applied to `process.env` while the function runs (shared process: see emulator/fc/index.ts). */
  env?: Record<string, string>;
  /** Default 3 (FC allows 0-8). */
  maxAsyncRetryAttempts?: number;
  /** Async invocations of this function running at once. Default 4. */
  asyncConcurrency?: number;
}

/** One FC invocation as `GET /__admin/invocations` lists it. */
export interface FcInvocation {
  requestId: string;
  functionName: string;
  taskId?: string;
  invocationType: 'Sync' | 'Async';
  /** `queued`: accepted async invocation not started yet; `retrying`: waiting out the backoff. */
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'retrying';
  /** Attempts started so far (1 for a sync call). */
  attempts: number;
  /** `context.retryCount` of each attempt, in order. */
  retryCounts: number[];
  /** The handler's result (a Buffer result as base64 text). */
  result?: unknown;
  /** The last attempt's function error. */
  error?: { errorMessage: string; errorType: string; stackTrace: string[] };
  startedAt: string;
  finishedAt?: string;
  payloadBytes: number;
  logs?: string;
}

/** The three products the emulator serves, keyed by `x-acs-version`. */
export type ProductName = 'VpcIpam' | 'VpcPeer' | 'Vpc';

/** One verified OpenAPI call, as the gateway hands it to the cloud state. */
export interface ApiCall {
  product: ProductName;
  version: string;
  action: string;
  /** Query and form-body parameters merged, decoded, flat (`ResourceId.1` -> `ipam-pool-1`). */
  params: Record<string, string>;
  accountId: string;
}

/** The state's answer; the gateway adds `RequestId` (and `HostId`, `Recommend` to errors). */
export interface ApiAnswer {
  status: number;
  /** Success body without RequestId, or `{ Code, Message }` for an error. */
  body: Record<string, unknown>;
}

/** A resource as the admin API reads and writes it. */
export interface AdminResource {
  /** The account that owns it (admin seeding; default the caller's account). */
  accountId?: string;
  type: string;
  /** The resource's region; for an IPAMPOOL its own region (`PoolRegionId`). */
  region: string;
  id: string;
  tags: Record<string, string>;
  /** IPAMPOOL only: the region its IPAM is hosted in, when not `region` (behaviour `ipamPoolRegion`). */
  ipamRegion?: string;
}

/** Bulk generator for the admin API and benchmarks (up to 1,000,000 resources in memory). */
export interface GenerateSpec {
  types: string[];
  regions: string[];
  /** Resources per (type, region). */
  count: number;
  /** Key pool: `keyCount` keys named `${keyPrefix}${i}` unless `keys` lists them. */
  keys?: string[];
  keyCount?: number;
  keyPrefix?: string;
  /** Tags per resource, inclusive range, drawn from the pool. */
  tagsPerResource?: [number, number];
  /** Extra tags every generated resource carries. */
  fixedTags?: Record<string, string>;
  seed?: number;
}

/** The emulated cloud: resources, tags, and the product actions over them. No HTTP, no signing. */
export interface CloudState {
  /** Run one action. Unknown actions answer the cloud's not-found error. */
  dispatch(call: ApiCall): ApiAnswer;
  /** Whether an action changes state (writes are the ones faults may apply-then-lose). */
  isWrite(product: ProductName, action: string): boolean;
  /** The region a call is charged to for quotas (`RegionId`, defaulting per product). */
  regionOf(call: ApiCall): string;
  upsert(resources: AdminResource[]): number;
  remove(ref: { type: string; region: string; id: string }): boolean;
  list(filter: { type?: string; region?: string }): AdminResource[];
  generate(spec: GenerateSpec): number;
  count(): number;
  reset(): void;
}
