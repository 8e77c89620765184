/**
 * The emulator's command-line options, parsed once for `npm run emulator` (emulator/cli.ts) and
 * `vpc-tag-cleanup emulator` (bin/commands/emulator.ts), so the two cannot drift apart.
 */
import { BEHAVIOUR_NAMES, parseBehaviourList } from './behaviour.ts';
import type { EmulatorOptions } from './server.ts';

/** `node:util` parseArgs option table. */
export const EMULATOR_CLI_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  'quota-scale': { type: 'string' },
  'no-quotas': { type: 'boolean' },
  'account-id': { type: 'string' },
  region: { type: 'string' },
  'fault-seed': { type: 'string' },
  behaviour: { type: 'string' },
} as const;

export const EMULATOR_OPTIONS_HELP = `  --port N          port to listen on (default 9100; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)
  --seed demo|none  load the demo resources (default demo) or start empty
  --quota-scale N   multiply every published rate quota by N (default 1)
  --no-quotas       turn rate quotas off
  --account-id ID   account id of the emulated cloud (default 1234567890123456)
  --region R        FC region (default cn-hangzhou)
  --fault-seed N    seed of fault rules set without their own (default 1)
  --behaviour L     behaviour switches, name=value[,name=value] (emulator/README.md); names:
                    ${BEHAVIOUR_NAMES.join(', ')}`;

/** A bad option value; the message names the option. */
export class EmulatorArgsError extends Error {
  override readonly name = 'EmulatorArgsError';
}

function number(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  ok: (n: number) => boolean,
  what: string,
): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || !ok(n))
    throw new EmulatorArgsError(`--${name} must be ${what}, got ${JSON.stringify(text)}`);
  return n;
}

/** Options for `startEmulator` from parsed arguments (the CLI's default seed is `demo`). */
export function emulatorOptionsFrom(values: Record<string, string | boolean | undefined>): EmulatorOptions {
  const seed = values.seed ?? 'demo';
  if (seed !== 'demo' && seed !== 'none')
    throw new EmulatorArgsError(`--seed must be demo or none, got ${JSON.stringify(seed)}`);
  const str = (name: string) =>
    typeof values[name] === 'string' && values[name] !== '' ? (values[name] as string) : undefined;
  const host = str('host');
  const accountId = str('account-id');
  const region = str('region');
  const behaviourText = values.behaviour;
  let behaviour: EmulatorOptions['behaviour'];
  if (typeof behaviourText === 'string') {
    try {
      behaviour = parseBehaviourList(behaviourText);
    } catch (error) {
      throw new EmulatorArgsError(`--behaviour: ${(error as Error).message}`);
    }
  }
  return {
    port: number(values, 'port', 9100, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535, 'a port number (0-65535)'),
    seed,
    quotaScale: number(values, 'quota-scale', 1, (n) => n > 0, 'a positive number'),
    quotas: values['no-quotas'] !== true,
    faultSeed: number(values, 'fault-seed', 1, Number.isInteger, 'an integer'),
    ...(host ? { host } : {}),
    ...(accountId ? { accountId } : {}),
    ...(region ? { region } : {}),
    ...(behaviour ? { behaviour } : {}),
  };
}
