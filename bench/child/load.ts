/**
 * Load for the emulator-throughput figure: `clients` SDK clients (each its own CloudPort, so its own
 * SDK client and signing), each calling in a loop for `seconds`. Prints `RESULT {requests, errors, ms}`.
 */
import { emulatorPort } from '../engine.ts';

const arg = JSON.parse(process.argv[2] ?? '{}') as { endpoint: string; clients: number; seconds: number; startAt: number };
const wait = arg.startAt - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
const until = Date.now() + arg.seconds * 1000;
let requests = 0;
let errors = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: arg.clients }, async () => {
    const port = emulatorPort(arg.endpoint);
    while (Date.now() < until) {
      try {
        await port.call('VpcPeer', 'cn-hangzhou', 'ListTagResources', { RegionId: 'cn-hangzhou', ResourceType: 'PeerConnection', MaxResults: 1 });
        requests++;
      } catch {
        errors++;
      }
    }
  }),
);
process.stdout.write(`RESULT ${JSON.stringify({ requests, errors, ms: performance.now() - started })}\n`);
process.exit(0);
