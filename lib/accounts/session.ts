/**
 * A member account's credentials for one run: assumed once, then re-assumed a margin before they
 * expire, so a long run never sends a call with expired credentials. One provider per account, shared
 * by that account's shards (one STS call per account per refresh, not per shard).
 */
import type { CloudCredentials } from '../cloud/credentials.ts';
import { AccountAccessError } from './sdk-failure.ts';
import type { AssumedCredentials, AssumeOutcome, RoleAssumer } from './sts.ts';

/** `acs:ram::<account>:role/<roleName>`. */
export function roleArn(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${roleName}`;
}

/**
 * The RoleSessionName carrying the run id: `vtc-<runId>`, cut to STS's 32 characters (the stricter of the
 * two documented limits) with the characters it allows (`[A-Za-z0-9.@_-]`).
 */
export function sessionNameFor(runId: string): string {
  const safe = runId.replace(/[^A-Za-z0-9.@_-]/g, '_');
  return `vtc-${safe}`.slice(0, 32);
}

export interface MemberSessionOptions {
  accountId: string;
  roleName: string;
  runId: string;
  assumer: RoleAssumer;
  /** Re-assume when less than this is left (default 5 minutes, capped at half the session). */
  refreshMarginMs?: number;
  durationSeconds?: number;
  now?: () => number;
}

export interface MemberSession {
  readonly accountId: string;
  /** The first AssumeRole's outcome (a failure means the account is reported failed). */
  start(): Promise<AssumeOutcome>;
  /** Credentials for the next call: fresh ones when the current are near expiry. Throws AccountAccessError. */
  credentials(): Promise<CloudCredentials>;
  /** AssumeRole calls made so far (first one included). */
  readonly stsCalls: number;
}

export function createMemberSession(o: MemberSessionOptions): MemberSession {
  const now = o.now ?? Date.now;
  const duration = o.durationSeconds ?? 3600;
  const arn = roleArn(o.accountId, o.roleName);
  const name = sessionNameFor(o.runId);
  let current: AssumedCredentials | undefined;
  let inFlight: Promise<AssumeOutcome> | undefined;
  let calls = 0;
  let issuedAt = 0;

  const assume = () => {
    inFlight ??= (async () => {
      calls++;
      issuedAt = now();
      const out = await o.assumer.assume(arn, name, duration);
      if (out.ok) current = out.credentials;
      return out;
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const stale = (c: AssumedCredentials) => {
    const life = c.expiresAt - issuedAt;
    const margin = Math.min(o.refreshMarginMs ?? 5 * 60_000, Math.max(0, life / 2));
    return now() >= c.expiresAt - margin;
  };

  return {
    accountId: o.accountId,
    start: assume,
    get stsCalls() {
      return calls;
    },
    async credentials() {
      if (!current || stale(current)) {
        const out = await assume();
        if (!out.ok) {
          const { ok: _ok, ...failure } = out;
          throw new AccountAccessError(o.accountId, failure);
        }
      }
      const c = current as AssumedCredentials;
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
    },
  };
}
