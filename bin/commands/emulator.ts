/**
 * `vpc-tag-cleanup emulator`: the local Alibaba Cloud endpoint, with the options of `npm run emulator`.
 * Prints one line once it listens (tests and scripts wait for it), then serves until SIGINT or SIGTERM.
 */
import { type Command, optionalPositiveInt } from '../command.ts';
import { UsageError } from '../errors.ts';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'start the local Alibaba Cloud endpoint (OpenAPI + FC), as npm run emulator',
  help: `Usage: vpc-tag-cleanup emulator [--port 9100] [--seed demo|none] [--quota-scale N] [options]

Starts the local endpoint that speaks the VpcIpam, VpcPeer, Vpc and FC wire protocols, and prints
"emulator listening on http://HOST:PORT" once ready. Point the CLI at it with
  VPC_TAG_CLEANUP_ENDPOINT=HOST:PORT
It accepts the credentials in ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET at start
(default testAccessKeyId / testAccessKeySecret). Admin API (loopback only): /__admin/*.

Options:
  --port N          port to listen on (default 9100; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)
  --seed demo|none  load the demo resources (default demo) or start empty
  --quota-scale N   multiply every published rate quota by N (default 1)
  --no-quotas       turn rate quotas off
  --account-id ID   account id of the emulated cloud (default 1234567890123456)
  --region R        FC region (default cn-hangzhou)
  --fault-seed N    seed of fault rules set without their own (default 1)
`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'quota-scale': { type: 'string' },
    'no-quotas': { type: 'boolean' },
    'account-id': { type: 'string' },
    region: { type: 'string' },
    'fault-seed': { type: 'string' },
  },
  async run(values, io) {
    const port = values.port === '0' ? 0 : (optionalPositiveInt('emulator', values, 'port') ?? 9100);
    const seed = values.seed ?? 'demo';
    if (seed !== 'demo' && seed !== 'none') throw new UsageError(`emulator: --seed must be 'demo' or 'none', got '${String(seed)}'`);
    const scaleText = values['quota-scale'];
    const quotaScale = scaleText === undefined ? 1 : Number(scaleText);
    if (!(quotaScale > 0)) throw new UsageError(`emulator: --quota-scale must be a positive number, got '${String(scaleText)}'`);
    const faultSeed = values['fault-seed'] === undefined ? 1 : Number(values['fault-seed']);
    if (!Number.isInteger(faultSeed)) throw new UsageError(`emulator: --fault-seed must be an integer, got '${String(values['fault-seed'])}'`);
    const str = (name: string) => (typeof values[name] === 'string' ? { [name === 'account-id' ? 'accountId' : name]: values[name] as string } : {});

    const { startEmulator } = await import('../../emulator/server.ts');
    const emu = await startEmulator({ port, seed, quotaScale, quotas: values['no-quotas'] !== true, faultSeed, ...str('host'), ...str('account-id'), ...str('region') });
    io.stdout.write(`emulator listening on ${emu.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emu.close();
    return 0;
  },
};
