/**
 * What the gateway saw: counts by `Product:Action` and outcome (for the admin stats), and the recent
 * calls in a bounded ring buffer (for tests that check what a client sent). Parameters hold nothing
 * secret: signatures and tokens travel in headers, which are never logged.
 */

/** As recorded: `at` in epoch ms (the ISO text is made only when someone reads the log). */
export type RecordedCall = Omit<LoggedCall, 'at'> & { at: number };

export interface LoggedCall {
  product: string;
  action: string;
  region: string;
  /** The account of the credentials that signed the call (empty when refused before that was known). */
  accountId?: string;
  params: Record<string, string>;
  clientToken?: string;
  /** 'OK', an error code, or the injected fault (`ConnectionReset`, `AppliedThenLost`). */
  code: string;
  /** HTTP status answered; 0 when the connection was dropped without an answer. */
  status: number;
  requestId: string;
  /** ISO time the call arrived. */
  at: string;
  /** The fault that shaped the call, when one fired. */
  fault?: string;
}

export interface CallStats {
  total: number;
  byAction: Record<string, Record<string, number>>;
}

export interface CallFilter {
  accountId?: string;
  product?: string;
  action?: string;
  code?: string;
  limit?: number;
}

export class CallLog {
  private stats: CallStats = { total: 0, byAction: {} };
  private readonly ring: (RecordedCall | undefined)[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = 20_000) {
    this.ring = new Array(capacity);
  }

  record(call: RecordedCall): void {
    this.stats.total++;
    const api = `${call.product || '?'}:${call.action || '?'}`;
    const outcome = call.code === 'OK' ? 'ok' : call.code;
    let counts = this.stats.byAction[api];
    if (!counts) {
      counts = {};
      this.stats.byAction[api] = counts;
    }
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    this.ring[this.next] = call;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  snapshot(): CallStats {
    return structuredClone(this.stats);
  }

  /** Recent calls, oldest first; `limit` keeps the most recent ones (default 1,000). */
  recent(filter: CallFilter = {}): LoggedCall[] {
    const out: RecordedCall[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const call = this.ring[(start + i) % this.capacity]!;
      if (filter.accountId && call.accountId !== filter.accountId) continue;
      if (filter.product && call.product !== filter.product) continue;
      if (filter.action && call.action !== filter.action) continue;
      if (filter.code && call.code !== filter.code) continue;
      out.push(call);
    }
    const limit = filter.limit ?? 1000;
    const kept = out.length > limit ? out.slice(out.length - limit) : out;
    return kept.map((call) => ({ ...call, at: new Date(call.at).toISOString() }));
  }

  reset(): void {
    this.stats = { total: 0, byAction: {} };
    this.ring.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
