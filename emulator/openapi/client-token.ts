/**
 * ClientToken idempotency for the VpcPeer writes (reference section 6): the first answer for a token
 * is kept and replayed for the same parameters; other parameters get IdempotentParameterMismatch; a
 * token whose first request has not been applied yet gets OperationFailed.LastTokenProcessing.
 */
import type { ApiCall } from '../contracts.ts';

/** VpcPeer writes that take a ClientToken. */
const TOKEN_ACTIONS: ReadonlySet<string> = new Set(['VpcPeer:TagResources', 'VpcPeer:UnTagResources']);

export interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

type Entry = { fingerprint: string; answer: StoredAnswer | undefined };

export type TokenClaim =
  | { kind: 'none' }
  | { kind: 'new'; key: string }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'processing' };

/** Same parameters = same sorted (name, value) pairs, ClientToken included (it is equal anyway). */
function fingerprint(params: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

export class ClientTokens {
  private readonly entries = new Map<string, Entry>();
  // Bounded memory: the oldest tokens are forgotten beyond the cap (the cloud keeps them for a
  // limited time too; a forgotten token simply applies again, which untag tolerates).
  constructor(private readonly cap = 200_000) {}

  claim(call: ApiCall): TokenClaim {
    const token = call.params.ClientToken;
    if (!token || !TOKEN_ACTIONS.has(`${call.product}:${call.action}`)) return { kind: 'none' };
    const key = `${call.accountId}|${call.product}|${call.action}|${token}`;
    const print = fingerprint(call.params);
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.fingerprint !== print) return { kind: 'mismatch' };
      return entry.answer ? { kind: 'replay', answer: entry.answer } : { kind: 'processing' };
    }
    if (this.entries.size >= this.cap) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { fingerprint: print, answer: undefined });
    return { kind: 'new', key };
  }

  /** The action ran: later calls with the token replay this answer. */
  settle(key: string, answer: StoredAnswer): void {
    const entry = this.entries.get(key);
    if (entry) entry.answer = answer;
  }

  /** The call never reached the action (e.g. the connection was reset): forget the token. */
  abandon(key: string): void {
    const entry = this.entries.get(key);
    if (entry && !entry.answer) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
