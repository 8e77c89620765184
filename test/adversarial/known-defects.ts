/**
 * Defects the adversarial generators found outside this suite's files, reported to the lead in
 * /work/notes/hardening.md with seeds and repros. Until their owners land fixes, a world whose only
 * violations match one of these is not a failure here (main stays green); every other violation in the
 * same world still fails. Delete an entry when its fix lands: the suite then guards it.
 */
import type { WorldResult } from './support/driver.ts';

export interface KnownDefect {
  /** Who owns the fix (OWNERS.md branch) and what is wrong. */
  todo: string;
  matches(violation: string, world: WorldResult): boolean;
}

export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  {
    todo: 'TODO(execute): a resource deleted before its batch is written is sometimes reported untagged, or its keys counted in keysRemoved, under a deadline and failing calls (seen at seeds 539 and 701 of an earlier generator, timing-dependent; seed 856: counts 8 removed, the cloud lost 6; seed 120244931 of the generators at commit 929634f: 4 counted, 0 lost)',
    matches: (v, w) =>
      /reported untagged but vanished before its write/.test(v) ||
      (w.hostility.vanish && /^reports count \d+ keys removed, the cloud lost \d+$/.test(v)),
  },
  {
    todo: 'TODO(fidelity, issue 12 defect 3): DescribeVpcs pages by number; a resource deleted during the run shifts a later resource onto a page already read, and an ok run leaves it untouched (seed 453: 100+ VPCs, one deleted before the first write)',
    matches: (v, w) =>
      /ok run left/.test(v) &&
      w.world.filter((r) => r.type === 'VPC').length > 50 &&
      (w.hostility.vanish || w.hostility.disappear || w.hostility.appear),
  },
  {
    todo: 'TODO(execute, issue 12 defect 7): a VpcPeer retry that meets OperationFailed.LastTokenProcessing (the first try, slow, still in flight and then applied) is reported failed while its keys are gone; re-read after an uncertain outcome (seed 1950)',
    matches: (v, w) =>
      w.violations.some((x) => /LastTokenProcessing/.test(x)) &&
      (/LastTokenProcessing/.test(v) || /removed, no report says so/.test(v)),
  },
];

/** The violations of `w` no known defect explains; a count mismatch goes with the violation it follows from. */
export function unexplained(w: WorldResult): string[] {
  const explained = w.violations.filter((v) => KNOWN_DEFECTS.some((d) => d.matches(v, w)));
  return w.violations.filter(
    (v) =>
      !explained.includes(v) &&
      !(explained.length > 0 && /^reports count \d+ keys removed, the cloud lost \d+$/.test(v)),
  );
}
