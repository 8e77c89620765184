/**
 * The OpenAPI front door (`POST /`): verify the ACS3 signature, route on `x-acs-version` +
 * `x-acs-action`, charge the quota, apply scripted faults, honour ClientTokens, then hand the call to
 * the cloud state and wrap its answer the way the cloud does (RequestId; HostId and Recommend on errors).
 *
 * Order (why): auth first (the cloud authenticates before anything), then flow control (a throttled
 * call costs the backend nothing), then faults (they stand for the backend misbehaving), then the
 * ClientToken (so a token is only remembered for a call that reached the action).
 */
import type { Behaviour } from '../behaviour.ts';
import type { ApiCall, CloudState, ProductName, ReadRequest, RouteHandler } from '../contracts.ts';
import type { CallLog } from './call-log.ts';
import type { ClientTokens } from './client-token.ts';
import type { EmulatorCredentialStore } from './credentials.ts';
import { errorBody, GatewayRefusal, newRequestId } from './errors.ts';
import type { FaultInjector, FaultPlan } from './faults.ts';
import type { QuotaBuckets } from './quotas.ts';
import { type NonceWindow, verifyAcs3 } from './signature.ts';

/** `x-acs-version` -> product (reference section 1). */
export const PRODUCT_BY_VERSION: Readonly<Record<string, ProductName>> = {
  '2023-02-28': 'VpcIpam',
  '2022-01-01': 'VpcPeer',
  '2016-04-28': 'Vpc',
};

export interface GatewayDeps {
  /** The cloud state of an account: a signed call reaches only its own account's. */
  state: (accountId: string) => CloudState;
  /**
   * Account services beside the three products (STS AssumeRole, Resource Directory ListAccounts): an
   * answer for this version and action, or undefined when it is not one of theirs.
   */
  services?: (
    version: string,
    action: string,
    callerAccount: string,
    params: Record<string, string>,
  ) => ServiceAnswer | undefined;
  credentials: EmulatorCredentialStore;
  accountId: string;
  quotas: QuotaBuckets;
  faults: FaultInjector;
  tokens: ClientTokens;
  log: CallLog;
  nonces: NonceWindow;
  /** Behaviour switches (quotaWindow is the QuotaBuckets'); absent: the defaults. */
  behaviour?: Behaviour;
  now?: () => number;
}

/** An account service's answer, and the product name its calls are logged under. */
export interface ServiceAnswer {
  product: string;
  status: number;
  body: Record<string, unknown>;
}

const JSON_TYPE = 'application/json;charset=utf-8';
const FORM_TYPE = 'application/x-www-form-urlencoded';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Query and form-body parameters merged (body wins on a clash), decoded and flat. */
export function mergedParams(r: ReadRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of r.url.searchParams) params[k] = v;
  const type = r.req.headers['content-type'];
  if (r.body.length > 0 && type?.toLowerCase().startsWith(FORM_TYPE)) {
    for (const [k, v] of new URLSearchParams(r.body.toString('utf8'))) params[k] = v;
  }
  return params;
}

function header(r: ReadRequest, name: string): string {
  const v = r.req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function createOpenApiGateway(deps: GatewayDeps): RouteHandler {
  const now = deps.now ?? Date.now;

  return async (r) => {
    if (r.req.method !== 'POST' || r.url.pathname !== '/') return false;
    const requestId = newRequestId();
    const arrived = now();
    const host = header(r, 'host');
    const action = header(r, 'x-acs-action');
    const version = header(r, 'x-acs-version');
    const product = PRODUCT_BY_VERSION[version];
    const params = mergedParams(r);
    let region = '';
    let caller = '';
    let serviceName: string | undefined;
    let faultKind: string | undefined;
    let tokenKey: string | undefined;

    const record = (code: string, status: number) => {
      deps.log.record({
        product: product ?? serviceName ?? '',
        action,
        region,
        ...(caller ? { accountId: caller } : {}),
        params,
        ...(params.ClientToken !== undefined ? { clientToken: params.ClientToken } : {}),
        code,
        status,
        requestId,
        at: arrived,
        ...(faultKind ? { fault: faultKind } : {}),
      });
    };
    const send = (status: number, body: Record<string, unknown>, code: string) => {
      record(code, status);
      if (r.res.destroyed) return;
      const text = JSON.stringify(body);
      // A known length lets Node send head and body in one write (no chunked encoding).
      r.res.writeHead(status, {
        'content-type': JSON_TYPE,
        'content-length': Buffer.byteLength(text),
        'x-acs-request-id': requestId,
      });
      r.res.end(text);
    };
    const refuse = (code: string, message: string, status: number) =>
      send(status, errorBody(requestId, host, code, message, product), code);
    const drop = (code: string) => {
      record(code, 0);
      r.req.socket.destroy();
    };

    try {
      const verified = verifyAcs3(
        { method: r.req.method, path: r.url.pathname, query: r.url.searchParams, headers: r.req.headers, body: r.body },
        deps.credentials,
        deps.nonces,
        arrived,
      );
      caller = deps.credentials.accountOf(verified.accessKeyId) ?? deps.accountId;
      const service = !product && action ? deps.services?.(version, action, caller, params) : undefined;
      if (service) {
        serviceName = service.product;
        const body =
          service.status < 400
            ? { RequestId: requestId, ...service.body }
            : errorBody(requestId, host, String(service.body.Code), String(service.body.Message ?? ''), undefined);
        send(service.status, body, service.status < 400 ? 'OK' : String(service.body.Code));
        return true;
      }
      if (!product || !action) throw new GatewayRefusal('InvalidAction.NotFound');
      const state = deps.state(caller);
      const call: ApiCall = { product, version, action, params, accountId: caller };
      region = state.regionOf(call);

      // Quotas are per account, region and API.
      if (!deps.quotas.take(caller, region, `${product}:${action}`, arrived)) {
        throw new GatewayRefusal('Throttling.User');
      }

      let plan: FaultPlan | undefined;
      if (deps.faults.active) {
        plan = deps.faults.plan({ product, action, region, isWrite: state.isWrite(product, action) });
        if (plan?.outcome) faultKind = plan.outcome.kind;
        else if (plan) faultKind = 'latency';
      }
      const outcome = plan?.outcome;
      if (outcome?.kind === 'reset') {
        drop('ConnectionReset');
        return true;
      }
      if (outcome?.kind === 'error') {
        if (plan && plan.delayMs > 0) await sleep(plan.delayMs);
        throw new GatewayRefusal(outcome.code, outcome.message, outcome.status ?? defaultStatus(outcome.code));
      }

      const claim = deps.tokens.claim(call);
      if (claim.kind === 'mismatch') throw new GatewayRefusal('IdempotentParameterMismatch');
      if (claim.kind === 'processing') throw new GatewayRefusal('OperationFailed.LastTokenProcessing');
      if (claim.kind === 'replay') {
        send(claim.answer.status, claim.answer.body, codeOf(claim.answer));
        return true;
      }
      if (claim.kind === 'new') tokenKey = claim.key;

      // Latency holds the call before the action, so a second call with the same token meanwhile
      // sees LastTokenProcessing.
      if (plan && plan.delayMs > 0) await sleep(plan.delayMs);

      const answer = state.dispatch(call);
      const body =
        answer.status < 400
          ? { RequestId: requestId, ...answer.body }
          : errorBody(requestId, host, String(answer.body.Code), String(answer.body.Message ?? ''), product);
      if (tokenKey) deps.tokens.settle(tokenKey, { status: answer.status, body });
      tokenKey = undefined;

      // applied-then-lost: the write is applied (above), the answer never leaves.
      if (outcome?.kind === 'applied-then-lost') {
        drop('AppliedThenLost');
        return true;
      }
      // slow: the action is applied before waiting; the answer comes after `slowMs`, by which time
      // a client with a shorter read timeout has given up.
      if (outcome?.kind === 'slow') await sleep(outcome.slowMs);
      send(answer.status, body, codeOf({ status: answer.status, body }));
    } catch (error) {
      if (tokenKey) deps.tokens.abandon(tokenKey);
      if (error instanceof GatewayRefusal) refuse(error.code, error.message, error.status);
      else refuse('InternalError', 'The request processing has failed due to some unknown error.', 500);
    }
    return true;
  };
}

function codeOf(answer: { status: number; body: Record<string, unknown> }): string {
  return answer.status < 400 ? 'OK' : String(answer.body.Code);
}

function defaultStatus(code: string): number {
  if (code === 'InternalError') return 500;
  if (code === 'ServiceUnavailable') return 503;
  return new GatewayRefusal(code).status;
}
