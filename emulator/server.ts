/**
 * The local Alibaba Cloud endpoint: one `node:http` server that reads each body fully, then offers
 * the request to the FC service, the admin API and the OpenAPI gateway, in that order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountDirectory } from './accounts/directory.ts';
import { createAdminRoutes, type EmulatorAdmin } from './admin.ts';
import { Behaviour, type BehaviourSettings } from './behaviour.ts';
import type { CloudState, FcService, ReadRequest, RouteHandler } from './contracts.ts';
import { createFcService } from './fc/index.ts';
import { CallLog } from './openapi/call-log.ts';
import { ClientTokens } from './openapi/client-token.ts';
import { createCredentialStore, type EmulatorCredentialStore } from './openapi/credentials.ts';
import { errorBody, GatewayRefusal, newRequestId } from './openapi/errors.ts';
import { FaultInjector, validateFaultSpec } from './openapi/faults.ts';
import { createOpenApiGateway } from './openapi/gateway.ts';
import { QuotaBuckets } from './openapi/quotas.ts';
import { demoResources } from './openapi/seed-demo.ts';
import { NonceWindow, verifyAcs3 } from './openapi/signature.ts';
import { createCloudState } from './openapi/state.ts';
import { createOssService, type OssService } from './oss/index.ts';
import { listAccounts } from './resource-directory/list-accounts.ts';
import { assumeRole } from './sts/assume-role.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** `demo` loads the demo resources; default `none` (the CLI defaults to `demo`). */
  seed?: 'demo' | 'none';
  /** Multiplies every published rate quota (default 1). */
  quotaScale?: number;
  /** Rate quotas on (default true). */
  quotas?: boolean;
  /** Default: env ALIBABA_CLOUD_ACCESS_KEY_ID, else `testAccessKeyId`. */
  accessKeyId?: string;
  /** Default: env ALIBABA_CLOUD_ACCESS_KEY_SECRET, else `testAccessKeySecret`. */
  accessKeySecret?: string;
  /** Default `1234567890123456`. */
  accountId?: string;
  /** The FC region (default cn-hangzhou). */
  region?: string;
  /** Seed of fault rules set without their own `seed` (default 1). */
  faultSeed?: number;
  /** Use this cloud state instead of a new `createCloudState()` (tests with a stand-in). */
  state?: CloudState;
  /** Behaviour switches (emulator/behaviour.ts); unnamed ones take their defaults. */
  behaviour?: BehaviourSettings;
  /** Largest request body accepted (default 64 MiB: bulk admin upserts are large). */
  maxBodyBytes?: number;
  /** OSS buckets that exist from the start (the run store's; more with PutBucket or the admin API). */
  ossBuckets?: string[];
}

export interface Emulator {
  /** `127.0.0.1:PORT`: the SDK's `endpoint` (no scheme). */
  endpoint: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
  accountId: string;
  region: string;
  state: CloudState;
  behaviour: Behaviour;
  credentials: EmulatorCredentialStore;
  fc: FcService;
  /** The OSS subset (buckets, objects) the run store's OSS backend uses. */
  oss: OssService;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

const LOOPBACK_HOST = '127.0.0.1';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? LOOPBACK_HOST;
  const accessKeyId = options.accessKeyId ?? process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'testAccessKeyId';
  const accessKeySecret =
    options.accessKeySecret ?? process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'testAccessKeySecret';
  const accountId = options.accountId ?? '1234567890123456';
  const region = options.region ?? 'cn-hangzhou';
  const faultSeed = options.faultSeed ?? 1;
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;

  const behaviour = new Behaviour(options.behaviour);
  const state = options.state ?? createCloudState({ behaviour });
  const credentials = createCredentialStore({ accessKeyId, accessKeySecret, accountId });
  // The caller's own account holds `state`; members get a state of their own on first use.
  const directory = new AccountDirectory(accountId, state, () => createCloudState({ behaviour }));
  const quotas = new QuotaBuckets({
    enabled: options.quotas ?? true,
    scale: options.quotaScale ?? 1,
    window: () => behaviour.get('quotaWindow'),
  });
  const faults = new FaultInjector();
  const tokens = new ClientTokens();
  const log = new CallLog();
  const nonces = new NonceWindow();
  let endpoint = '';

  const fc = createFcService({
    credentials,
    accountId,
    region,
    endpoint: () => endpoint,
    behaviour,
    // FC 3.0's InvokeFunction signed ACS3 is checked as the OpenAPI gateway checks it (same keys, same nonces).
    verifyAcs3: (request) => {
      try {
        return { ok: true, scheme: 'acs3', ...verifyAcs3(request, credentials, nonces, Date.now()) };
      } catch (e) {
        if (e instanceof GatewayRefusal) return { ok: false, status: e.status, code: e.code, message: e.message };
        throw e;
      }
    },
  });
  const oss = createOssService({ credentials });
  const ossBuckets = options.ossBuckets ?? [];
  for (const b of ossBuckets) oss.createBucket(b);

  const seedDemo = () => {
    state.upsert(demoResources());
  };

  const admin: EmulatorAdmin = {
    async reset(opts = {}) {
      state.reset();
      directory.reset();
      log.reset();
      faults.set({ seed: faultSeed, rules: [] });
      quotas.reset();
      behaviour.reset();
      tokens.clear();
      // Issued STS sessions survive: a function context handed out before the reset stays valid.
      fc.reset();
      oss.reset();
      for (const b of ossBuckets) oss.createBucket(b);
      if (opts.seed === 'demo') seedDemo();
    },
    upsert: (resources) => {
      // Each resource goes to its account's state (default: the caller's).
      const byAccount = new Map<string, typeof resources>();
      for (const r of resources) {
        const a = r.accountId ?? accountId;
        const { accountId: _a, ...rest } = r;
        byAccount.set(a, [...(byAccount.get(a) ?? []), rest]);
      }
      let n = 0;
      for (const [a, rs] of byAccount) n += directory.stateOf(a).upsert(rs);
      return n;
    },
    generate: (spec) => state.generate(spec),
    remove: (refs) =>
      refs.reduce((n, ref) => n + (directory.stateOf(ref.accountId ?? accountId).remove(ref) ? 1 : 0), 0),
    list: (filter = {}) => {
      const { accountId: a, ...rest } = filter;
      return directory.stateOf(a ?? accountId).list(rest);
    },
    count: () => directory.accountIds().reduce((n, a) => n + directory.stateOf(a).count(), 0),
    addAccounts: (specs) => directory.addAccounts(specs),
    addFolders: (specs) => directory.addFolders(specs),
    accounts: () => directory.list(),
    stats: () => log.snapshot(),
    requests: (filter) => log.recent(filter),
    setFaults: (spec) => {
      const valid = validateFaultSpec(spec);
      faults.set({ ...valid, seed: valid.seed ?? faultSeed });
    },
    faults: () => faults.view(),
    setQuotas: (settings) => quotas.configure(settings),
    quotas: () => quotas.view(),
    setBehaviour: (settings) => behaviour.set(settings),
    behaviour: () => behaviour.view(),
  };
  faults.set({ seed: faultSeed, rules: [] });
  if (options.seed === 'demo') seedDemo();

  const routes: RouteHandler[] = [
    fc.handle,
    oss.handle,
    createAdminRoutes(admin),
    createOpenApiGateway({
      state: (a) => directory.stateOf(a),
      services: (version, action, caller, params) => {
        if (version === '2015-04-01' && action === 'AssumeRole')
          return { product: 'Sts', ...assumeRole(params, caller, directory, credentials) };
        if (version === '2020-03-31' && action === 'ListAccounts')
          return { product: 'ResourceManager', ...listAccounts(params, caller, directory) };
        return undefined;
      },
      credentials,
      accountId,
      quotas,
      faults,
      tokens,
      log,
      nonces,
      behaviour,
    }),
  ];

  const server = createServer((req, res) => {
    readBody(req, maxBody).then(
      (body) => route({ req, res, body, url: new URL(req.url ?? '/', 'http://emulator.local') }),
      () => answerError(req, res, 413, 'RequestTooLarge', 'The request body is too large.'),
    );
  });

  const route = async (r: ReadRequest) => {
    try {
      for (const handle of routes) {
        if (await handle(r)) return;
      }
      answerError(
        r.req,
        r.res,
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
    } catch (error) {
      if (!r.res.headersSent) {
        answerError(r.req, r.res, 500, 'InternalError', (error as Error).message);
      }
    }
  };

  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  endpoint = `${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    endpoint,
    url: `http://${endpoint}`,
    port,
    accessKeyId,
    accessKeySecret,
    accountId,
    region,
    state,
    behaviour,
    credentials,
    fc,
    oss,
    admin,
    async close() {
      await fc.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new Error('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answerError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const requestId = newRequestId();
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId });
  res.end(JSON.stringify(errorBody(requestId, req.headers.host ?? '', code, message, undefined)));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
