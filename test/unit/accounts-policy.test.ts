import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../lib/policy/parse.ts';

const base = { name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['VPC'], remove: { keys: ['tmp'] } };
const issues = (accounts: unknown) => {
  const r = parsePolicy({ ...base, accounts });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('policy accounts', () => {
  it('takes ids or the Resource Directory (with folders and exclude)', () => {
    expect(issues({ roleName: 'vpc-tag-cleanup', ids: ['1000000000000001'] })).toEqual([]);
    expect(
      issues({ roleName: 'a.b-c', resourceDirectory: true, folders: ['fd-abc123'], exclude: ['1000000000000002'] }),
    ).toEqual([]);
    expect(parsePolicy(base).ok).toBe(true);
  });

  it('needs exactly one of ids and resourceDirectory', () => {
    expect(issues({ roleName: 'r' })).toEqual(['accounts: needs exactly one of ids or resourceDirectory']);
    expect(issues({ roleName: 'r', ids: ['1000000000000001'], resourceDirectory: true })).toEqual([
      'accounts: needs exactly one of ids or resourceDirectory',
    ]);
    expect(issues({ roleName: 'r', ids: ['1000000000000001'], folders: ['fd-a'] })).toEqual([
      'accounts.folders: folders narrows resourceDirectory: give resourceDirectory: true',
    ]);
  });

  it('names each bad field: ids of 16 digits, a RAM role name, folder ids, unknown keys', () => {
    expect(issues({ roleName: 'r', ids: ['123', '1000000000000001', '1000000000000001'] })).toEqual([
      'accounts.ids[0]: must be a 16-digit account id',
      'accounts.ids: must not repeat an account id',
    ]);
    expect(issues({ roleName: 'bad role!', ids: ['1000000000000001'] })[0]).toMatch(
      /^accounts\.roleName: must be a RAM role name/,
    );
    expect(issues({ roleName: 'x'.repeat(65), ids: ['1000000000000001'] })[0]).toMatch(/^accounts\.roleName/);
    expect(issues({ roleName: 'r', resourceDirectory: true, folders: ['prod'] })).toEqual([
      'accounts.folders[0]: must be a Resource Directory folder id (fd-...)',
    ]);
    expect(issues({ roleName: 'r', resourceDirectory: false })[0]).toMatch(/^accounts\.resourceDirectory/);
    expect(issues({ roleName: 'r', ids: ['1000000000000001'], exclude: ['x'] })).toEqual([
      'accounts.exclude[0]: must be a 16-digit account id',
    ]);
    expect(issues({ roleName: 'r', ids: ['1000000000000001'], role: 'x' })[0]).toMatch(/role/);
  });
});
