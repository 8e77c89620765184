/**
 * `vpc-tag-cleanup emulator`: the local Alibaba Cloud endpoint, the same as `npm run emulator`. Prints
 * one line once it listens (tests and scripts wait for it), then serves until SIGINT or SIGTERM.
 */
import { type Command, optionalPositiveInt } from '../command.ts';
import { UsageError } from '../errors.ts';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'start the local Alibaba Cloud endpoint (OpenAPI + FC)',
  help: `Usage: vpc-tag-cleanup emulator [--port 9100] [--seed demo|none] [--quota-scale N] [--host 127.0.0.1]

Starts the local endpoint that speaks the VpcIpam, VpcPeer, Vpc and FC wire protocols, and prints
"emulator listening on http://HOST:PORT" once ready. Point the CLI at it with
  VPC_TAG_CLEANUP_ENDPOINT=HOST:PORT
It accepts the credentials in ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET at start
(default testAccessKeyId / testAccessKeySecret).

Options:
  --port N          port to listen on (default 9100; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)
  --seed demo|none  load the demo resources (default demo) or start empty
  --quota-scale N   multiply every published rate quota by N (default 1)
`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'quota-scale': { type: 'string' },
  },
  async run(values, io) {
    const port = values.port === '0' ? 0 : (optionalPositiveInt('emulator', values, 'port') ?? 9100);
    const seed = values.seed ?? 'demo';
    if (seed !== 'demo' && seed !== 'none') throw new UsageError(`emulator: --seed must be 'demo' or 'none', got '${String(seed)}'`);
    const scaleText = values['quota-scale'];
    const quotaScale = scaleText === undefined ? 1 : Number(scaleText);
    if (!(quotaScale > 0)) throw new UsageError(`emulator: --quota-scale must be a positive number, got '${String(scaleText)}'`);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';

    const { startEmulator } = await import('../../emulator/server.ts');
    const emu = await startEmulator({ port, host, seed, quotaScale });
    io.stdout.write(`emulator listening on ${emu.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emu.close();
    return 0;
  },
};
