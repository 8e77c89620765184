/** The README's policy reference is generated from the schema; this keeps the two in step. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PolicySchema } from '../../lib/policy/schema.ts';
import { END, renderPolicyReference, START, withPolicyReference } from '../../scripts/gen-policy-doc.ts';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

describe("README's policy reference", () => {
  it('is what scripts/gen-policy-doc.ts renders from the schema (run it after changing the schema)', () => {
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));
    expect(section).toBe(renderPolicyReference());
  });

  it('has a row for every top-level field of the schema', () => {
    const rendered = renderPolicyReference();
    for (const field of Object.keys(PolicySchema.shape)) expect(rendered).toContain(`| \`${field}\` |`);
  });

  it('replaces only what is between the markers', () => {
    expect(withPolicyReference(`a\n${START}old${END}\nb`, 'new')).toBe(`a\n${START}new${END}\nb`);
    expect(() => withPolicyReference('no markers')).toThrow(/lacks the markers/);
  });
});
