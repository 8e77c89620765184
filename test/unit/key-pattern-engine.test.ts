/**
 * Issue 12 defect 1: key patterns run on a linear-time (RE2-class) engine, so a pattern that backtracks
 * catastrophically in a backtracking engine is accepted and still answers at once; syntax RE2 cannot run
 * (lookaround, backreferences) is refused with an issue naming the field.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../lib/policy/compile.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';
import { selectRemovals } from '../../lib/select.ts';

const base = { name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['IPAM'] };

/** The shapes issue 12 lists: each takes seconds to minutes in a backtracking engine on a 30-40 char key. */
const HOSTILE = ['^(\\w|\\d)+$', '^(a|aa)+$', '(a|a)+$', '((a+))+$', '(?:(a+))+$', '^(.*?,){11}P'];
/** Keys that make those patterns fail only at the very end, after every split has been tried. */
const KEYS = [`${'a'.repeat(38)}!`, `${'a'.repeat(30)}-`, `${','.repeat(36)}x`, `${'1a'.repeat(18)}#`];

describe('key patterns on a linear-time engine', () => {
  it('accepts the catastrophic shapes and matches them against 30-40 character keys without stalling', () => {
    const parsed = parsePolicy({ ...base, remove: { keyPatterns: HOSTILE } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const policy = compilePolicy(parsed.policy);
    const tags = Object.fromEntries(KEYS.map((k) => [k, 'v']));
    // The engine answers these in microseconds; a backtracking engine would block this test for minutes.
    const sel = selectRemovals({ region: 'cn-hangzhou', type: 'IPAM', id: 'ipam-1', tags }, policy);
    expect(sel).toMatchObject({ action: 'skip', reason: 'nothing-to-remove' });
    const hit = selectRemovals({ region: 'cn-hangzhou', type: 'IPAM', id: 'ipam-2', tags: { aaaa: '1' } }, policy);
    expect(hit).toMatchObject({ action: 'remove', keys: ['aaaa'] });
  }, 20_000);

  it('matches anywhere in the key unless anchored, as the README says', () => {
    const parsed = parsePolicy({ ...base, remove: { keyPatterns: ['tmp-', '^Cost$', '(?i)^legacy'] } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const policy = compilePolicy(parsed.policy);
    const tags = { 'x-tmp-1': '1', Cost: '2', CostCenter: '3', LEGACY_owner: '4', keep: '5' };
    const sel = selectRemovals({ region: 'cn-hangzhou', type: 'IPAM', id: 'ipam-1', tags }, policy);
    expect(sel).toMatchObject({ action: 'remove', keys: ['Cost', 'LEGACY_owner', 'x-tmp-1'] });
  });

  it('refuses syntax RE2 does not run, naming the field and the construct', () => {
    const parsed = parsePolicy({
      ...base,
      remove: { keyPatterns: ['^ok-', '^(?=tmp)', '(a)\\1', '(?<=x)y', '\\Z'] },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual([
      'remove.keyPatterns[1]',
      'remove.keyPatterns[2]',
      'remove.keyPatterns[3]',
      'remove.keyPatterns[4]',
    ]);
    for (const issue of parsed.issues) expect(issue.message).toMatch(/RE2/);
    expect(parsed.issues[0]?.message).toContain('(?=');
    expect(parsed.issues[1]?.message).toContain('\\1');
  });
});
