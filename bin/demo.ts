/**
 * `npm start`: the tool doing its job with no cloud account and no Docker. Starts the local endpoint
 * in-process with the demo data, previews a sample policy (dry run), applies it, prints the report,
 * then reads the endpoint's state back to show what changed and what was kept, and finally undoes the
 * run from its journal (`restore`) to show every removed value coming back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/server.ts';
import { renderRestore } from './format/restore.ts';
import { OutcomeTally } from './format/summary.ts';
import { renderChanges, renderReport } from './format/table.ts';
import { createCloudPort, createLocalStore, parsePolicy, restoreRun, runCleanup, runJournaled } from './lib-api.ts';

const POLICY_FILE = fileURLToPath(new URL('../examples/drop-legacy-cost-tags.json', import.meta.url));

const out = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => out(`\n=== ${text} ${'='.repeat(Math.max(0, 72 - text.length))}`);

async function demo(): Promise<number> {
  const started = Date.now();
  // The emulator takes its credentials as options; the engine is handed the same ones. No real key is involved.
  const emu = await startEmulator({
    port: 0,
    seed: 'demo',
    accessKeyId: 'demoAccessKeyId',
    accessKeySecret: 'demoAccessKeySecret',
  });
  try {
    const parsed = parsePolicy(JSON.parse(await readFile(POLICY_FILE, 'utf8')));
    if (!parsed.ok) throw new Error(`examples/drop-legacy-cost-tags.json is invalid: ${JSON.stringify(parsed.issues)}`);
    // The summary reads what the policy says, so editing the example keeps the demo truthful.
    const REMOVED_KEYS = 'keys' in parsed.policy.remove ? (parsed.policy.remove.keys ?? []) : [];
    const protectedKeys = parsed.policy.protect?.keys ?? [];
    const protectTag = parsed.policy.protect?.resourceTag;

    const before = emu.admin.list();
    heading('local Alibaba Cloud endpoint');
    out(
      `listening on ${emu.url} with ${before.length} demo resources (IPAM, scopes, pools, peer connections, VPCs, vSwitches)`,
    );
    out(
      `in cn-hangzhou and cn-shanghai; ${countCarrying(before, REMOVED_KEYS)} of them carry ${REMOVED_KEYS.join(' or ')}.`,
    );
    out(
      `\npolicy examples/drop-legacy-cost-tags.json: remove ${REMOVED_KEYS.join(', ')}; never touch ${protectedKeys.map((k) => `"${k}"`).join(', ') || 'no key'}${protectTag ? ` or a resource tagged ${protectTag.key}${protectTag.value === undefined ? '' : `=${protectTag.value}`}` : ''}`,
    );

    const cloud = createCloudPort({
      credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
      endpoint: emu.endpoint,
    });

    heading('1. plan (dry run: list calls only, nothing changes)');
    const planned = new OutcomeTally(12);
    const plan = await runCleanup(
      { policy: { ...parsed.policy, dryRun: true }, runId: 'demo-plan' },
      { cloud, onOutcome: (o) => planned.add(o) },
    );
    out(renderChanges(planned));
    out(renderReport(plan.report, planned));

    heading('2. run (for real, journaled: each removed value is written down before its call)');
    const applied = new OutcomeTally();
    const storeDir = mkdtempSync(join(tmpdir(), 'vpc-tag-cleanup-demo-'));
    const store = createLocalStore(storeDir);
    const run = await runJournaled(
      { policy: { ...parsed.policy, dryRun: false }, runId: 'demo-run' },
      { cloud, onOutcome: (o) => applied.add(o) },
      { store },
    );
    out(renderReport(run.report, applied));
    const example = applied.changes.find((o) => o.status === 'untagged' && o.values);
    if (example?.values)
      out(
        `e.g. ${example.id} lost ${Object.entries(example.values)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')} (the journal has it)`,
      );

    heading('3. the endpoint after the run');
    const after = emu.admin.list();
    const isProtected = (r: { tags: Record<string, string> }) =>
      protectTag !== undefined &&
      Object.hasOwn(r.tags, protectTag.key) &&
      (protectTag.value === undefined || r.tags[protectTag.key] === protectTag.value);
    const unprotected = after.filter((r) => !isProtected(r));
    const stats = emu.admin.stats();
    out(
      `resources still carrying ${REMOVED_KEYS.join(' or ')}: ${countCarrying(unprotected, REMOVED_KEYS)} unprotected (was ${countCarrying(
        before.filter((r) => !isProtected(r)),
        REMOVED_KEYS,
      )}), ${countCarrying(after.filter(isProtected), REMOVED_KEYS)} protected (kept on purpose)`,
    );
    for (const key of protectedKeys)
      out(`"${key}" kept on ${countCarrying(after, [key])} resources (was ${countCarrying(before, [key])})`);
    out(`system tags (acs:*, aliyun*) kept on ${countSystem(after)} resources (was ${countSystem(before)})`);
    out(
      `calls the endpoint answered: ${stats.total} (${Object.entries(stats.byAction)
        .map(([api, byCode]) => `${api} ${Object.values(byCode).reduce((a, b) => a + b, 0)}`)
        .join(', ')})`,
    );

    heading('4. restore (undo the run from its journal)');
    const restored = await restoreRun({ runId: 'demo-run', store }, { cloud });
    out(renderRestore(restored));
    const back = emu.admin.list();
    const same = JSON.stringify(sortById(back)) === JSON.stringify(sortById(before));
    out(
      `the endpoint after restore: ${same ? 'exactly the state before the run' : 'DIFFERS from the state before the run'}`,
    );
    rmSync(storeDir, { recursive: true, force: true });
    out(
      `\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: npx vpc-tag-cleanup --help, or read README.md.`,
    );
    return run.report.ok && restored.ok && same ? 0 : 1;
  } finally {
    await emu.close();
  }
}

function sortById<T extends { type: string; id: string }>(rs: readonly T[]): T[] {
  return [...rs].sort((a, b) => (`${a.type}/${a.id}` < `${b.type}/${b.id}` ? -1 : 1));
}

function countCarrying(resources: ReadonlyArray<{ tags: Record<string, string> }>, keys: readonly string[]): number {
  return resources.filter((r) => keys.some((k) => Object.hasOwn(r.tags, k))).length;
}

function countSystem(resources: ReadonlyArray<{ tags: Record<string, string> }>): number {
  return resources.filter((r) => Object.keys(r.tags).some((k) => k.startsWith('acs:') || k.startsWith('aliyun')))
    .length;
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`demo failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
