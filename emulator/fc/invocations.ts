/** What the emulator remembers of each invocation, as `GET /__admin/invocations` lists it. */
import type { FcInvocation } from '../contracts.ts';

export const INVOCATION_STATUS = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  retrying: 'retrying',
} as const;
export type InvocationStatus = (typeof INVOCATION_STATUS)[keyof typeof INVOCATION_STATUS];

export type InvocationRecord = FcInvocation;

/** Records kept before the oldest finished ones are dropped (benchmarks invoke many times). */
export const MAX_INVOCATION_RECORDS = 10_000;

export class InvocationBook {
  private readonly records = new Map<string, InvocationRecord>();

  add(r: InvocationRecord): void {
    this.records.set(r.requestId, r);
    if (this.records.size <= MAX_INVOCATION_RECORDS) return;
    for (const [id, old] of this.records) {
      if (old.status === 'succeeded' || old.status === 'failed') {
        this.records.delete(id);
        break;
      }
    }
  }

  list(filter: { functionName?: string; status?: string }, withLogs: boolean): InvocationRecord[] {
    const out: InvocationRecord[] = [];
    for (const r of this.records.values()) {
      if (filter.functionName && r.functionName !== filter.functionName) continue;
      if (filter.status && r.status !== filter.status) continue;
      if (withLogs) out.push({ ...r });
      else {
        const { logs: _logs, ...rest } = r;
        out.push(rest);
      }
    }
    return out;
  }

  clear(): void {
    this.records.clear();
  }
}
