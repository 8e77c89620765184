/**
 * Accounts of the emulated cloud: the caller's own (management) account and its Resource Directory
 * members, folders, the RAM roles each member holds and whom they trust, and one cloud state per account.
 * Every resource belongs to exactly one account; a signed call reaches only its own account's state.
 */
import type { CloudState } from '../contracts.ts';

/** A RAM role in an account: `trust` lists the accounts whose identities may assume it. */
export interface RoleSpec {
  roleName: string;
  trust: string[];
  /**
   * Emulator-only time compression: sessions of this role last this many seconds whatever
   * `DurationSeconds` asks (real STS: 900-3600 s, or up to the role's maximum). Tests of mid-run expiry.
   */
  sessionSeconds?: number;
}

/** A member account of the Resource Directory. */
export interface AccountSpec {
  accountId: string;
  displayName?: string;
  /** The folder the account sits in directly (default: the root folder). */
  folderId?: string;
  roles?: RoleSpec[];
}

/** A folder; `parentFolderId` absent means under the root. */
export interface FolderSpec {
  folderId: string;
  parentFolderId?: string;
}

export const ROOT_FOLDER = 'fd-root';
export const DIRECTORY_ID = 'rd-emulator';
const ACCOUNT_ID = /^\d{16}$/;

export class AccountError extends Error {
  override readonly name = 'AccountError';
}

export class AccountDirectory {
  private readonly states = new Map<string, CloudState>();
  private readonly members = new Map<string, Required<Omit<AccountSpec, 'roles'>> & { roles: RoleSpec[] }>();
  private readonly folders = new Map<string, FolderSpec>();

  constructor(
    readonly managementAccountId: string,
    private readonly managementState: CloudState,
    private readonly makeState: () => CloudState,
  ) {}

  /** The state of an account (created empty on first use: an account exists once anything names it). */
  stateOf(accountId: string): CloudState {
    if (accountId === this.managementAccountId) return this.managementState;
    let s = this.states.get(accountId);
    if (!s) {
      if (!ACCOUNT_ID.test(accountId))
        throw new AccountError(`accountId must be 16 digits, got ${JSON.stringify(accountId)}`);
      s = this.makeState();
      this.states.set(accountId, s);
    }
    return s;
  }

  /** Every account that holds a state, the management account first. */
  accountIds(): string[] {
    return [this.managementAccountId, ...this.states.keys()];
  }

  /** Add or replace members (and their roles). */
  addAccounts(specs: AccountSpec[]): number {
    for (const spec of specs) {
      if (!ACCOUNT_ID.test(spec.accountId))
        throw new AccountError(`accountId must be 16 digits, got ${JSON.stringify(spec.accountId)}`);
      const folderId = spec.folderId ?? ROOT_FOLDER;
      if (folderId !== ROOT_FOLDER && !this.folders.has(folderId))
        throw new AccountError(`folder ${folderId} does not exist: add it first`);
      for (const role of spec.roles ?? []) {
        if (!role.roleName || !Array.isArray(role.trust)) throw new AccountError('a role needs roleName and trust[]');
      }
      this.members.set(spec.accountId, {
        accountId: spec.accountId,
        displayName: spec.displayName ?? `member-${spec.accountId.slice(-4)}`,
        folderId,
        roles: [...(spec.roles ?? [])],
      });
      this.stateOf(spec.accountId);
    }
    return specs.length;
  }

  addFolders(specs: FolderSpec[]): number {
    for (const f of specs) {
      if (!/^fd-[A-Za-z0-9]+$/.test(f.folderId))
        throw new AccountError(`folderId must look like fd-xxxx, got ${f.folderId}`);
      if (f.parentFolderId && f.parentFolderId !== ROOT_FOLDER && !this.folders.has(f.parentFolderId))
        throw new AccountError(`parent folder ${f.parentFolderId} does not exist`);
      this.folders.set(f.folderId, f);
    }
    return specs.length;
  }

  /** Members in the order they joined. */
  list(): Array<{ accountId: string; displayName: string; folderId: string; path: string }> {
    return [...this.members.values()].map((m) => ({
      accountId: m.accountId,
      displayName: m.displayName,
      folderId: m.folderId,
      path: this.pathOf(m.folderId, m.accountId),
    }));
  }

  /** `rd-emulator/fd-root/fd-a/fd-b/<account>`: the folder chain, as ResourceDirectoryPath shows it. */
  private pathOf(folderId: string, accountId: string): string {
    const chain: string[] = [];
    let f: string | undefined = folderId;
    for (let guard = 0; f && f !== ROOT_FOLDER && guard < 16; guard++) {
      chain.unshift(f);
      f = this.folders.get(f)?.parentFolderId;
    }
    return [DIRECTORY_ID, ROOT_FOLDER, ...chain, accountId].join('/');
  }

  /** A role of an account; RAM role names compare case-insensitively. */
  role(accountId: string, roleName: string): RoleSpec | undefined {
    return this.members.get(accountId)?.roles.find((r) => r.roleName.toLowerCase() === roleName.toLowerCase());
  }

  isMember(accountId: string): boolean {
    return this.members.has(accountId);
  }

  /** Forget members, folders and every member account's resources. */
  reset(): void {
    for (const s of this.states.values()) s.reset();
    this.states.clear();
    this.members.clear();
    this.folders.clear();
  }
}
