/**
 * `vpc-tag-cleanup emulator`: the local Alibaba Cloud endpoint, with the options of `npm run emulator`.
 * Prints one line once it listens (tests and scripts wait for it), then serves until SIGINT or SIGTERM.
 */
import { EMULATOR_CLI_OPTIONS, EMULATOR_OPTIONS_HELP, emulatorOptionsFrom } from '../../emulator/cli-options.ts';
import type { EmulatorOptions } from '../../emulator/server.ts';
import type { Command } from '../command.ts';
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
${EMULATOR_OPTIONS_HELP}
`,
  options: EMULATOR_CLI_OPTIONS,
  async run(values, _io, out) {
    let options: EmulatorOptions;
    try {
      options = emulatorOptionsFrom(values);
    } catch (error) {
      throw new UsageError(`emulator: ${(error as Error).message}`);
    }
    const { startEmulator } = await import('../../emulator/server.ts');
    const emu = await startEmulator(options);
    out.answer({ ok: true, url: emu.url, endpoint: emu.endpoint }, `emulator listening on ${emu.url}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emu.close();
    return 0;
  },
};
