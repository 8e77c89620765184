/**
 * The emulator in a process of its own, so the engine's figures (RSS, CPU) are its own. Started by
 * `bench/processes.ts`: options as JSON in argv[2]; prints one `READY {json}` line once listening and
 * exits when its stdin closes (the parent died or closed it) or on SIGTERM.
 */
import { startEmulator } from '../../emulator/server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { quotaScale?: number; quotas?: boolean; faultSeed?: number };
const emu = await startEmulator({ port: 0, seed: 'none', ...options });
process.stdout.write(`READY ${JSON.stringify({ url: emu.url, endpoint: emu.endpoint, pid: process.pid })}\n`);

const stop = () => {
  emu.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
