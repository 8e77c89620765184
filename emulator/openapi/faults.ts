/**
 * Scripted, seeded faults for OpenAPI calls. A rule matches a call by product/action/region; a
 * matching rule fires with probability `rate` (a seeded PRNG, so a run is reproducible given the same
 * sequence of calls), at most `count` times. Latency rules add up; of the other kinds the first rule
 * that fires decides the call's fate.
 */
import type { ProductName } from '../contracts.ts';
import { prng } from '../prng.ts';

export const FAULT_KINDS = ['latency', 'error', 'reset', 'applied-then-lost', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  product?: ProductName;
  action?: string;
  region?: string;
  /** Probability that a matching call is hit, 0..1 (default 1). */
  rate?: number;
  /** Hit at most this many calls (counted per rule; default unlimited). */
  count?: number;
  /** latency: added delay; slow: delay before the (already applied) answer is sent. */
  ms?: number;
  /** latency/slow: uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  /** error: the code to answer (default InternalError). */
  code?: string;
  /** error: the HTTP status (default from the code: 500 InternalError, 503 ServiceUnavailable, else 400). */
  status?: number;
  /** error: the message (default the cloud's for the code). */
  message?: string;
}

export interface FaultSpec {
  seed?: number;
  rules: FaultRule[];
}

/** What the gateway must do to one call. */
export interface FaultPlan {
  /** Wait this long before processing (latency rules). */
  delayMs: number;
  /**
   * - `error`: answer the rule's error without running the action;
   * - `reset`: destroy the socket before processing (nothing applied);
   * - `applied-then-lost`: run the action (writes only), then destroy the socket without answering;
   * - `slow`: run the action, then wait `slowMs` before answering (applied even if the client gave up).
   */
  outcome?:
    | { kind: 'error'; code: string; status: number | undefined; message: string | undefined }
    | { kind: 'reset' }
    | { kind: 'applied-then-lost' }
    | { kind: 'slow'; slowMs: number };
}

interface ActiveRule {
  rule: FaultRule;
  fired: number;
}

export function validateFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null) throw new TypeError('body must be an object');
  const { seed, rules } = input as { seed?: unknown; rules?: unknown };
  if (!Array.isArray(rules)) throw new TypeError('rules must be an array');
  if (seed !== undefined && typeof seed !== 'number') throw new TypeError('seed must be a number');
  rules.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) throw new TypeError(`rules[${i}] must be an object`);
    const rule = r as Record<string, unknown>;
    if (!FAULT_KINDS.includes(rule.kind as FaultKind)) {
      throw new TypeError(`rules[${i}].kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (rule.rate !== undefined && !(typeof rule.rate === 'number' && rule.rate >= 0 && rule.rate <= 1)) {
      throw new TypeError(`rules[${i}].rate must be a number in 0..1`);
    }
    for (const f of ['count', 'ms', 'jitterMs', 'status'] as const) {
      if (rule[f] !== undefined && !(typeof rule[f] === 'number' && (rule[f] as number) >= 0)) {
        throw new TypeError(`rules[${i}].${f} must be a non-negative number`);
      }
    }
  });
  return seed === undefined ? { rules: rules as FaultRule[] } : { seed, rules: rules as FaultRule[] };
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number = prng(1);
  private spec: FaultSpec = { rules: [] };

  /** Replaces every rule; `{ rules: [] }` clears. */
  set(spec: FaultSpec): void {
    this.spec = spec;
    this.rules = spec.rules.map((rule) => ({ rule, fired: 0 }));
    this.random = prng(spec.seed ?? 1);
  }

  view(): FaultSpec & { fired: number[] } {
    return { ...this.spec, fired: this.rules.map((r) => r.fired) };
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Decides the fate of one call; undefined when no rule fires (the common, fast path). */
  plan(call: { product: ProductName; action: string; region: string; isWrite: boolean }): FaultPlan | undefined {
    if (this.rules.length === 0) return undefined;
    let plan: FaultPlan | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.product !== undefined && rule.product !== call.product) continue;
      if (rule.action !== undefined && rule.action !== call.action) continue;
      if (rule.region !== undefined && rule.region !== call.region) continue;
      if (rule.kind === 'applied-then-lost' && !call.isWrite) continue;
      if (rule.kind !== 'latency' && plan?.outcome) continue;
      if (rule.count !== undefined && active.fired >= rule.count) continue;
      if (rule.rate !== undefined && rule.rate < 1 && this.random() >= rule.rate) continue;
      active.fired++;
      plan ??= { delayMs: 0 };
      const jitter = rule.jitterMs ? this.random() * rule.jitterMs : 0;
      switch (rule.kind) {
        case 'latency':
          plan.delayMs += (rule.ms ?? 0) + jitter;
          break;
        case 'error':
          plan.outcome = {
            kind: 'error',
            code: rule.code ?? 'InternalError',
            status: rule.status,
            message: rule.message,
          };
          break;
        case 'reset':
          plan.outcome = { kind: 'reset' };
          break;
        case 'applied-then-lost':
          plan.outcome = { kind: 'applied-then-lost' };
          break;
        case 'slow':
          plan.outcome = { kind: 'slow', slowMs: (rule.ms ?? 0) + jitter };
          break;
      }
    }
    return plan;
  }
}
