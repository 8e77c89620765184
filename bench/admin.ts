/**
 * A small client for the emulator's admin API (DESIGN.md "the local endpoint"): unsigned JSON over
 * loopback. Benchmarks and the reliability suite drive the emulator only through it, so they work the
 * same whether the emulator runs in this process or in a child.
 */

// The wire shapes are the emulator's own (bench/ may read both sides; only lib/ and emulator/ are walled).
export type { AdminResource, GenerateSpec } from '../emulator/contracts.ts';
export type { CallStats, LoggedCall } from '../emulator/openapi/call-log.ts';
export type { FaultRule } from '../emulator/openapi/faults.ts';
export type { QuotaSettings } from '../emulator/openapi/quotas.ts';

import type { AdminResource, GenerateSpec } from '../emulator/contracts.ts';
import type { CallStats, LoggedCall } from '../emulator/openapi/call-log.ts';
import type { FaultRule } from '../emulator/openapi/faults.ts';
import type { QuotaSettings } from '../emulator/openapi/quotas.ts';

export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class EmulatorAdmin {
  /** `base` is `http://host:port`. */
  constructor(readonly base: string) {}

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new AdminError(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`, res.status);
    return (text ? JSON.parse(text) : {}) as T;
  }

  reset(): Promise<unknown> {
    return this.send('POST', '/__admin/reset');
  }

  seed(resources: AdminResource[]): Promise<unknown> {
    return this.send('POST', '/__admin/resources', { resources });
  }

  generate(spec: GenerateSpec): Promise<unknown> {
    return this.send('POST', '/__admin/resources', { generate: spec });
  }

  async resources(filter: { type?: string; region?: string } = {}): Promise<AdminResource[]> {
    const q = new URLSearchParams();
    if (filter.type) q.set('type', filter.type);
    if (filter.region) q.set('region', filter.region);
    const qs = q.toString();
    const body = await this.send<{ resources: AdminResource[] }>('GET', `/__admin/resources${qs ? `?${qs}` : ''}`);
    return body.resources;
  }

  setFaults(rules: FaultRule[], seed?: number): Promise<unknown> {
    return this.send('PUT', '/__admin/faults', seed === undefined ? { rules } : { seed, rules });
  }

  clearFaults(): Promise<unknown> {
    return this.send('PUT', '/__admin/faults', { rules: [] });
  }

  setQuotas(settings: QuotaSettings): Promise<unknown> {
    return this.send('PUT', '/__admin/quotas', settings);
  }

  quotas(): Promise<{ enabled: boolean; scale: number; perMinute: Record<string, number> }> {
    return this.send('GET', '/__admin/quotas');
  }

  stats(): Promise<CallStats> {
    return this.send<CallStats>('GET', '/__admin/stats');
  }

  /** Removes resources (as if deleted by someone else during a run). */
  deleteResources(refs: Array<{ type: string; region: string; id: string }>): Promise<{ removed: number }> {
    return this.send('POST', '/__admin/resources/delete', { resources: refs });
  }

  /** Recent calls as the gateway logged them (a bounded ring, 20,000 calls). */
  async requests(
    filter: { product?: string; action?: string; code?: string; limit?: number } = {},
  ): Promise<LoggedCall[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    const body = await this.send<{ requests: LoggedCall[] }>('GET', `/__admin/requests${qs ? `?${qs}` : ''}`);
    return body.requests;
  }

  invocations(): Promise<unknown> {
    return this.send('GET', '/__admin/invocations');
  }
}

/** Sum of calls over every action whose name matches, optionally for one outcome. */
export function countCalls(stats: CallStats, actionMatches: (api: string) => boolean, outcome?: string): number {
  let n = 0;
  for (const [api, outcomes] of Object.entries(stats.byAction)) {
    if (!actionMatches(api)) continue;
    for (const [o, c] of Object.entries(outcomes)) if (outcome === undefined || o === outcome) n += c;
  }
  return n;
}

/** Untag actions of every product (`UntagResources` on VpcIpam, `UnTagResources` elsewhere). */
export const isUntagApi = (api: string): boolean => /:Un[tT]agResources$/.test(api);
/** Read calls: `List*` and `Describe*`. */
export const isListApi = (api: string): boolean => /:(List|Describe)/.test(api);
export const isThrottled = (outcome: string): boolean => outcome.includes('Throttling');

/** Throttled answers across all actions. */
export function countThrottled(stats: CallStats): number {
  let n = 0;
  for (const outcomes of Object.values(stats.byAction)) {
    for (const [o, c] of Object.entries(outcomes)) if (isThrottled(o)) n += c;
  }
  return n;
}

/** The difference of two snapshots, so one emulator can serve several measured runs. */
export function diffStats(after: CallStats, before: CallStats): CallStats {
  const byAction: CallStats['byAction'] = {};
  for (const [api, outcomes] of Object.entries(after.byAction)) {
    const prev = before.byAction[api] ?? {};
    const out: Record<string, number> = {};
    for (const [o, c] of Object.entries(outcomes)) {
      const d = c - (prev[o] ?? 0);
      if (d !== 0) out[o] = d;
    }
    if (Object.keys(out).length > 0) byAction[api] = out;
  }
  return { total: after.total - before.total, byAction };
}
