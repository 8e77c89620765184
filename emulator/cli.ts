/**
 * `npm run emulator -- --port 9100 --seed demo --quota-scale N`: the local endpoint, standalone.
 * Prints exactly one line once ready; SIGINT/SIGTERM close it cleanly.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './server.ts';

const HELP = `Usage: npm run emulator -- [options]

Local Alibaba Cloud endpoint (VpcIpam, VpcPeer, Vpc OpenAPI + FC invoke) for the official SDKs.

Options:
  --port N           port to listen on (default 9100; 0 picks a free one)
  --host H           address to bind (default 127.0.0.1)
  --seed demo|none   load the demo resources (default demo) or start empty
  --quota-scale N    multiply every published rate quota by N (default 1)
  --no-quotas        turn rate quotas off
  --account-id ID    account id of the emulated cloud (default 1234567890123456)
  --region R         FC region (default cn-hangzhou)
  --fault-seed N     seed of fault rules set without their own (default 1)
  -h, --help         this text

Credentials accepted: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET,
default testAccessKeyId / testAccessKeySecret. Admin API (loopback only): /__admin/*.`;

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

function number(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || text.trim() === '') fail(`--${name} must be a number, got ${JSON.stringify(text)}`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'quota-scale': { type: 'string' },
        'no-quotas': { type: 'boolean' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        'fault-seed': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const seed = (values.seed as string | undefined) ?? 'demo';
  if (seed !== 'demo' && seed !== 'none') fail(`--seed must be demo or none, got ${JSON.stringify(seed)}`);
  const port = number('port', values.port as string | undefined, 9100);
  const quotaScale = number('quota-scale', values['quota-scale'] as string | undefined, 1);
  if (!(quotaScale > 0)) fail('--quota-scale must be positive');

  const emu = await startEmulator({
    port,
    seed,
    quotaScale,
    quotas: !values['no-quotas'],
    faultSeed: number('fault-seed', values['fault-seed'] as string | undefined, 1),
    ...(values.host ? { host: values.host as string } : {}),
    ...(values['account-id'] ? { accountId: values['account-id'] as string } : {}),
    ...(values.region ? { region: values.region as string } : {}),
  });
  process.stdout.write(`emulator listening on ${emu.url}\n`);

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
