/**
 * `npm run soak -- --minutes N [--from SEED]`: the adversarial suite's generators (test/adversarial/)
 * for N minutes on fresh seeds, against one in-process emulator. Prints every seed whose world breaks a
 * rule (lost tag, false report, throw, hang), each with its violations, as it is found; known defects
 * (test/adversarial/known-defects.ts) are listed apart. Not in CI. Exit 1 when an unexplained seed was found.
 * Replay one seed: `ADVERSARIAL_SEED=<seed> npx vitest run test/adversarial`.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/server.ts';
import { KNOWN_DEFECTS, unexplained } from '../test/adversarial/known-defects.ts';
import { createWorldRunner } from '../test/adversarial/support/driver.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '5' }, from: { type: 'string' } },
  allowPositionals: false,
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  process.stderr.write('soak: --minutes must be a positive number\n');
  process.exit(2);
}
// Fresh seeds each soak (CI covers 1..1000); --from replays a soak's range.
const first = values.from !== undefined ? Number(values.from) : 1_000_000 + (Date.now() % 1_000_000_000);
const out = (line: string) => process.stdout.write(`${line}\n`);
// The FC handler logs one JSON line per world: keep the soak's own lines readable.
console.log = () => {};

const emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
const runWorld = createWorldRunner(emu);
const until = Date.now() + minutes * 60_000;
let seed = first;
let worlds = 0;
let failing = 0;
const known = new Map<string, number[]>();
out(`soak: ${minutes} min from seed ${first}`);
while (Date.now() < until) {
  const r = await runWorld(seed);
  worlds++;
  const bad = unexplained(r);
  if (bad.length > 0) {
    failing++;
    out(`FAIL seed ${seed}: ${bad.join(' | ')}`);
  } else if (r.violations.length > 0) {
    for (const d of KNOWN_DEFECTS)
      if (r.violations.some((v) => d.matches(v, r))) known.set(d.todo, [...(known.get(d.todo) ?? []), seed]);
  }
  seed++;
}
out(`soak: ${worlds} worlds (seeds ${first}..${seed - 1}), ${failing} failing`);
for (const [todo, seeds] of known)
  out(`known: ${seeds.length} worlds, e.g. seeds ${seeds.slice(0, 5).join(', ')}: ${todo}`);
for (const name of ['ENDPOINT', 'FC_ENDPOINT', 'STORE', 'TUNING', 'QUOTA_SCALE'])
  delete process.env[`VPC_TAG_CLEANUP_${name}`];
await emu.close();
process.exit(failing > 0 ? 1 : 0);
