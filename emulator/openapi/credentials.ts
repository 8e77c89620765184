/**
 * Who may call the emulator: the long-term key given at start, plus STS-style sessions it issues
 * (FC invocation contexts). Sessions expire; a token is only ever compared, never logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialStore, Credentials } from '../contracts.ts';

interface Session {
  secret: string;
  token: string;
  expiresAt: number;
  /** The account the session acts in (an assumed member role's, or the caller's own). */
  accountId: string;
}

export interface CredentialStoreOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The account of the long-term key and, by default, of issued sessions. */
  accountId?: string;
  /** Lifetime of issued STS sessions (ms); FC contexts live at most the function timeout. */
  sessionTtlMs?: number;
  now?: () => number;
}

/** Why a security token was refused, or undefined when it is fine (for the gateway's error code). */
export type TokenProblem = 'Malformed' | 'Expired' | 'MismatchWithAccessKey' | undefined;

export interface EmulatorCredentialStore extends CredentialStore {
  /** Finer answer than `tokenMatches`, so the gateway can say Malformed vs Expired. */
  checkToken(accessKeyId: string, securityToken: string | undefined): TokenProblem;
  /** Forget issued sessions. */
  reset(): void;
}

const STS_PREFIX = 'STS.';
const MAX_SESSIONS = 100_000;

export function createCredentialStore(options: CredentialStoreOptions): EmulatorCredentialStore {
  const now = options.now ?? Date.now;
  const ttl = options.sessionTtlMs ?? 6 * 3600_000;
  const callerAccount = options.accountId ?? '1234567890123456';
  const sessions = new Map<string, Session>();
  // token -> access key id, to tell a token of another session (mismatch) from garbage (malformed).
  const owners = new Map<string, string>();

  const sessionFor = (id: string): Session | undefined => sessions.get(id);

  const checkToken = (accessKeyId: string, securityToken: string | undefined): TokenProblem => {
    const session = sessionFor(accessKeyId);
    const owner = securityToken ? owners.get(securityToken) : undefined;
    if (!session) return owner ? 'MismatchWithAccessKey' : securityToken ? 'Malformed' : undefined;
    if (!securityToken) return 'Malformed';
    if (!sameText(securityToken, session.token)) return owner ? 'MismatchWithAccessKey' : 'Malformed';
    if (session.expiresAt <= now()) return 'Expired';
    return undefined;
  };

  return {
    secretFor(accessKeyId) {
      if (accessKeyId === options.accessKeyId) return options.accessKeySecret;
      return sessionFor(accessKeyId)?.secret;
    },
    tokenMatches(accessKeyId, securityToken) {
      return sessions.has(accessKeyId) && checkToken(accessKeyId, securityToken) === undefined;
    },
    checkToken,
    accountOf(accessKeyId) {
      if (accessKeyId === options.accessKeyId) return callerAccount;
      return sessionFor(accessKeyId)?.accountId;
    },
    issueSession(opts = {}): Required<Credentials> & { expiresAt: number } {
      // Bounded memory: drop the oldest sessions (insertion order) beyond the cap.
      while (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        owners.delete(sessions.get(oldest)!.token);
        sessions.delete(oldest);
      }
      const accessKeyId = STS_PREFIX + randomBytes(12).toString('hex');
      const session: Session = {
        secret: randomBytes(20).toString('base64url'),
        token: randomBytes(48).toString('base64'),
        expiresAt: now() + (opts.ttlMs ?? ttl),
        accountId: opts.accountId ?? callerAccount,
      };
      sessions.set(accessKeyId, session);
      owners.set(session.token, accessKeyId);
      return {
        accessKeyId,
        accessKeySecret: session.secret,
        securityToken: session.token,
        expiresAt: session.expiresAt,
      };
    },
    reset() {
      sessions.clear();
      owners.clear();
    },
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
