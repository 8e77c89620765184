/**
 * `npm run emulator -- --port 9100 --seed demo --quota-scale N`: the local endpoint, standalone.
 * Prints exactly one line once ready; SIGINT/SIGTERM close it cleanly.
 */
import { parseArgs } from 'node:util';
import { EMULATOR_CLI_OPTIONS, EMULATOR_OPTIONS_HELP, emulatorOptionsFrom } from './cli-options.ts';
import { type EmulatorOptions, startEmulator } from './server.ts';

const HELP = `Usage: npm run emulator -- [options]

Local Alibaba Cloud endpoint (VpcIpam, VpcPeer, Vpc OpenAPI + FC invoke) for the official SDKs.

Options:
${EMULATOR_OPTIONS_HELP}
  -h, --help        this text

Credentials accepted: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET,
default testAccessKeyId / testAccessKeySecret. Admin API (loopback only): /__admin/*.`;

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { ...EMULATOR_CLI_OPTIONS, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let options: EmulatorOptions;
  try {
    options = emulatorOptionsFrom(values);
  } catch (error) {
    fail((error as Error).message);
  }
  const emu = await startEmulator(options);
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
