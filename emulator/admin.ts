/**
 * The admin API (DESIGN.md "the local endpoint"): no signature, loopback callers only, JSON bodies.
 * The same operations are on `emu.admin` for tests that run the emulator in-process.
 */

import { AccountError, type AccountSpec, type FolderSpec } from './accounts/directory.ts';
import { BehaviourError, type BehaviourValues } from './behaviour.ts';
import type { AdminResource, GenerateSpec, ReadRequest, RouteHandler } from './contracts.ts';
import { isLoopback } from './loopback.ts';
import type { CallFilter, CallStats, LoggedCall } from './openapi/call-log.ts';
import { type FaultSpec, validateFaultSpec } from './openapi/faults.ts';
import { checkGenerateSpec, GenerateSpecError } from './openapi/generate.ts';
import type { QuotaSettings, QuotaView } from './openapi/quotas.ts';

export interface EmulatorAdmin {
  /** Empty state, stats, faults, quota settings and buckets, behaviour (back to start values), ClientTokens and FC (STS sessions stay). */
  reset(options?: { seed?: 'demo' | 'none' }): Promise<void>;
  /** Each resource into its `accountId`'s state (default: the caller's account). */
  upsert(resources: AdminResource[]): number;
  generate(spec: GenerateSpec): number;
  remove(refs: { accountId?: string; type: string; region: string; id: string }[]): number;
  /** One account's resources (default: the caller's). */
  list(filter?: { accountId?: string; type?: string; region?: string }): AdminResource[];
  /** Resource Directory members (with their RAM roles) and folders (emulator/accounts/directory.ts). */
  addAccounts(specs: AccountSpec[]): number;
  addFolders(specs: FolderSpec[]): number;
  accounts(): Array<{ accountId: string; displayName: string; folderId: string; path: string }>;
  count(): number;
  stats(): CallStats;
  requests(filter?: CallFilter): LoggedCall[];
  setFaults(spec: FaultSpec): void;
  faults(): FaultSpec & { fired: number[] };
  setQuotas(settings: QuotaSettings): void;
  quotas(): QuotaView;
  /** Partial merge of behaviour switches (validated whole first); answers all current values. */
  setBehaviour(settings: unknown): BehaviourValues;
  behaviour(): BehaviourValues;
}

class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

function json(r: ReadRequest, status: number, body: unknown): true {
  r.res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  r.res.end(JSON.stringify(body));
  return true;
}

function readJson(r: ReadRequest): Record<string, unknown> {
  if (r.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(r.body.toString('utf8'));
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadRequest('body must be an object');
  return value as Record<string, unknown>;
}

function resourceList(value: unknown, withTags: boolean): AdminResource[] {
  if (!Array.isArray(value)) throw new BadRequest('resources must be an array');
  return value.map((item, i) => {
    const r = item as Partial<AdminResource> | null;
    if (!r || typeof r.type !== 'string' || typeof r.region !== 'string' || typeof r.id !== 'string') {
      throw new BadRequest(`resources[${i}] needs string type, region and id`);
    }
    const tags = r.tags ?? {};
    if (withTags && (typeof tags !== 'object' || Array.isArray(tags))) {
      throw new BadRequest(`resources[${i}].tags must be an object`);
    }
    if (r.accountId !== undefined && (typeof r.accountId !== 'string' || !/^\d{16}$/.test(r.accountId)))
      throw new BadRequest(`resources[${i}].accountId must be a 16-digit account id`);
    if (
      r.ipamRegion !== undefined &&
      (typeof r.ipamRegion !== 'string' || r.ipamRegion === '' || r.type !== 'IPAMPOOL')
    )
      throw new BadRequest(`resources[${i}].ipamRegion is a region id, for IPAMPOOL only`);
    return {
      ...(r.accountId ? { accountId: r.accountId } : {}),
      type: r.type,
      region: r.region,
      id: r.id,
      tags,
      ...(r.ipamRegion !== undefined ? { ipamRegion: r.ipamRegion } : {}),
    };
  });
}

function optionalString(params: URLSearchParams, name: string): { [k: string]: string } {
  const v = params.get(name);
  return v ? { [name]: v } : {};
}

export function createAdminRoutes(admin: EmulatorAdmin): RouteHandler {
  return async (r) => {
    const path = r.url.pathname;
    if (!path.startsWith('/__admin/')) return false;
    if (!isLoopback(r.req.socket.remoteAddress)) {
      return json(r, 403, { error: 'the admin API answers loopback callers only' });
    }
    const route = `${r.req.method} ${path}`;
    try {
      switch (route) {
        case 'POST /__admin/reset': {
          const body = readJson(r);
          const seed = body.seed;
          if (seed !== undefined && seed !== 'demo' && seed !== 'none')
            throw new BadRequest("seed must be 'demo' or 'none'");
          await admin.reset(seed === undefined ? {} : { seed });
          return json(r, 200, { ok: true, count: admin.count() });
        }
        case 'POST /__admin/resources': {
          const body = readJson(r);
          if (body.resources === undefined && body.generate === undefined) {
            throw new BadRequest('give resources and/or generate');
          }
          const upserted = body.resources === undefined ? 0 : admin.upsert(resourceList(body.resources, true));
          const generated = body.generate === undefined ? 0 : admin.generate(validateGenerate(body.generate));
          return json(r, 200, { upserted, generated, count: admin.count() });
        }
        case 'GET /__admin/resources': {
          const filter = {
            ...optionalString(r.url.searchParams, 'accountId'),
            ...optionalString(r.url.searchParams, 'type'),
            ...optionalString(r.url.searchParams, 'region'),
          };
          return json(r, 200, { resources: admin.list(filter) });
        }
        case 'POST /__admin/resources/delete': {
          const body = readJson(r);
          return json(r, 200, { removed: admin.remove(resourceList(body.resources, false)), count: admin.count() });
        }
        case 'POST /__admin/accounts': {
          const body = readJson(r);
          const folders = body.folders === undefined ? 0 : admin.addFolders(body.folders as FolderSpec[]);
          const accounts = body.accounts === undefined ? 0 : admin.addAccounts(body.accounts as AccountSpec[]);
          return json(r, 200, { folders, accounts });
        }
        case 'GET /__admin/accounts':
          return json(r, 200, { accounts: admin.accounts() });
        case 'GET /__admin/stats':
          return json(r, 200, admin.stats());
        case 'GET /__admin/requests': {
          const q = r.url.searchParams;
          const limit = q.get('limit');
          if (limit !== null && !/^[1-9]\d*$/.test(limit)) throw new BadRequest('limit must be a positive integer');
          const filter: CallFilter = {
            ...optionalString(q, 'accountId'),
            ...optionalString(q, 'product'),
            ...optionalString(q, 'action'),
            ...optionalString(q, 'code'),
            ...(limit ? { limit: Number(limit) } : {}),
          };
          return json(r, 200, { requests: admin.requests(filter) });
        }
        case 'PUT /__admin/faults': {
          let spec: FaultSpec;
          try {
            spec = validateFaultSpec(readJson(r));
          } catch (e) {
            throw e instanceof BadRequest ? e : new BadRequest((e as Error).message);
          }
          admin.setFaults(spec);
          return json(r, 200, admin.faults());
        }
        case 'GET /__admin/faults':
          return json(r, 200, admin.faults());
        case 'PUT /__admin/quotas': {
          const body = readJson(r);
          try {
            admin.setQuotas(validateQuotas(body));
          } catch (e) {
            throw e instanceof BadRequest ? e : new BadRequest((e as Error).message);
          }
          return json(r, 200, admin.quotas());
        }
        case 'GET /__admin/quotas':
          return json(r, 200, admin.quotas());
        case 'PUT /__admin/behaviour': {
          const body = readJson(r);
          try {
            return json(r, 200, admin.setBehaviour(body));
          } catch (e) {
            throw e instanceof BehaviourError ? new BadRequest(e.message) : e;
          }
        }
        case 'GET /__admin/behaviour':
          return json(r, 200, admin.behaviour());
        default:
          return json(r, 404, { error: `no admin route ${route}` });
      }
    } catch (error) {
      if (error instanceof BadRequest || error instanceof AccountError) return json(r, 400, { error: error.message });
      return json(r, 500, { error: (error as Error).message });
    }
  };
}

function validateQuotas(body: Record<string, unknown>): QuotaSettings {
  const out: QuotaSettings = {};
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw new BadRequest('enabled must be a boolean');
    out.enabled = body.enabled;
  }
  if (body.scale !== undefined) {
    if (typeof body.scale !== 'number') throw new BadRequest('scale must be a number');
    out.scale = body.scale;
  }
  if (body.perMinute !== undefined) {
    if (typeof body.perMinute !== 'object' || body.perMinute === null)
      throw new BadRequest('perMinute must be an object');
    out.perMinute = body.perMinute as Record<string, number>;
  }
  return out;
}

function validateGenerate(value: unknown): GenerateSpec {
  try {
    return checkGenerateSpec(value);
  } catch (e) {
    throw e instanceof GenerateSpecError ? new BadRequest(e.message) : e;
  }
}
