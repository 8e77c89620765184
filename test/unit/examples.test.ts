/** Every example in `examples/` is valid: policies parse, the timer payload holds a policy, the event is a Config event. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parsePolicy } from '../../lib/policy/parse.ts';

const DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
const read = (name: string): unknown => {
  const text = readFileSync(DIR + name, 'utf8');
  return name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
};
const policyFiles = readdirSync(DIR).filter(
  (f) => /\.(json|ya?ml)$/.test(f) && !['eventbridge-config-noncompliant.json', 'timer-payload.json'].includes(f),
);

describe('examples/', () => {
  it('holds the policies for the common jobs', () => {
    expect(policyFiles.sort()).toEqual([
      'drop-legacy-cost-tags.json',
      'many-accounts.json',
      'remove-tmp-keys.yaml',
      'strip-decommissioned-pools.json',
    ]);
  });

  it.each(policyFiles)('%s is a valid policy', (file) => {
    const r = parsePolicy(read(file));
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it('strip-decommissioned-pools removes all tags but owner from IPAM pools only', () => {
    const r = parsePolicy(read('strip-decommissioned-pools.json'));
    if (!r.ok) throw new Error('invalid');
    expect(r.policy.resourceTypes).toEqual(['IPAMPOOL']);
    expect(r.policy.remove).toEqual({ all: true });
    expect(r.policy.protect?.keys).toEqual(['owner']);
  });

  it('timer-payload.json is a timer event whose payload string holds a valid manual payload', () => {
    const event = read('timer-payload.json') as { triggerTime: string; triggerName: string; payload: string };
    expect(typeof event.triggerTime).toBe('string');
    expect(typeof event.triggerName).toBe('string');
    const payload = JSON.parse(event.payload) as { policy: unknown };
    expect(parsePolicy(payload.policy).ok).toBe(true);
  });

  it("timer-payload.json carries the payload of s.yaml's timer trigger", () => {
    const s = parseYaml(readFileSync(fileURLToPath(new URL('../../s.yaml', import.meta.url)), 'utf8'));
    const triggers = s.resources['tag-cleanup'].props.triggers as Array<{
      triggerName: string;
      triggerType: string;
      triggerConfig: { payload?: string };
    }>;
    const timer = triggers.find((t) => t.triggerType === 'timer');
    const event = read('timer-payload.json') as { triggerName: string; payload: string };
    expect(event.triggerName).toBe(timer?.triggerName);
    expect(event.payload).toBe(timer?.triggerConfig.payload);
  });

  it('eventbridge-config-noncompliant.json is a Config non-compliance CloudEvent naming one resource', () => {
    const e = read('eventbridge-config-noncompliant.json') as Record<string, any>;
    expect(e.specversion).toBe('1.0');
    expect(e.type).toMatch(/:Config:NonCompliantNotification$/);
    expect(e.data.complianceType).toBe('NON_COMPLIANT');
    expect(e.data.evaluationResultIdentifier.evaluationResultQualifier.resourceId).toMatch(/^vpc-/);
  });
});
