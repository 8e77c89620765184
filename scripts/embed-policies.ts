/**
 * The deployed policies live as readable files in `policies/`; `npm run build` embeds each where FC needs
 * it as a one-line JSON string: the nightly timer's payload in `s.yaml` (and the sample event
 * `examples/timer-payload.json`), and `VPC_TAG_CLEANUP_POLICY` in `s.yaml`. Each target line is found by
 * its key, so the rest of `s.yaml` (comments, layout) stays as written. `--check` (the test) reports
 * drift instead of writing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TIMER_POLICY_FILE = 'policies/nightly.json';
export const CONFIG_POLICY_FILE = 'policies/config-driven.json';

/** A one-line YAML single-quoted scalar: quotes doubled, nothing else escaped. */
function yamlQuoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function readPolicy(root: string, file: string): unknown {
  return JSON.parse(readFileSync(path.join(root, file), 'utf8'));
}

/** Replaces the value of the first line `<indent><key>: ...` after `after` (a unique anchor line). */
function replaceLine(text: string, anchor: RegExp, key: string, value: string, label: string): string {
  const at = text.search(anchor);
  if (at < 0) throw new Error(`${label}: anchor ${anchor} not found`);
  const line = new RegExp(`^(\\s*${key}: ).*$`, 'm');
  const rest = text.slice(at);
  const m = line.exec(rest);
  if (!m) throw new Error(`${label}: no "${key}:" after ${anchor}`);
  return text.slice(0, at) + rest.slice(0, m.index) + m[1] + value + rest.slice(m.index + m[0].length);
}

export interface EmbedResult {
  /** Files whose content differs from what the policies say (written unless `check`). */
  changed: string[];
}

export function embedPolicies(root: string, options: { check?: boolean } = {}): EmbedResult {
  const timerPayload = JSON.stringify({ policy: readPolicy(root, TIMER_POLICY_FILE) });
  const configPolicy = JSON.stringify(readPolicy(root, CONFIG_POLICY_FILE));
  const changed: string[] = [];

  const sYamlPath = path.join(root, 's.yaml');
  const sYaml = readFileSync(sYamlPath, 'utf8');
  let next = replaceLine(sYaml, /triggerName: nightly\b/, 'payload', yamlQuoted(timerPayload), 's.yaml');
  next = replaceLine(next, /environmentVariables:/, 'VPC_TAG_CLEANUP_POLICY', yamlQuoted(configPolicy), 's.yaml');
  if (next !== sYaml) changed.push('s.yaml');
  if (next !== sYaml && !options.check) writeFileSync(sYamlPath, next);

  const eventPath = path.join(root, 'examples/timer-payload.json');
  const event = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
  if (event.payload !== timerPayload) {
    changed.push('examples/timer-payload.json');
    if (!options.check) writeFileSync(eventPath, `${JSON.stringify({ ...event, payload: timerPayload }, null, 2)}\n`);
  }
  return { changed };
}
