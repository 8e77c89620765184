/**
 * Load for the emulator-throughput figure: `clients` concurrent callers, each calling in a loop for
 * `seconds`. `sdk`: each caller is its own CloudPort (its own official SDK client and signer). `signer`:
 * each caller signs with the suite's second ACS3 client (test/support/acs3-client.ts, written from the
 * reference) over a keep-alive agent, which costs the load process far less CPU per request, so the
 * figure is closer to what the emulator itself can serve. Prints `RESULT {requests, errors, ms}`.
 */
import { Agent, request } from 'node:http';
import { signedRequest } from '../../test/support/acs3-client.ts';
import { emulatorPort, TEST_CREDENTIALS } from '../engine.ts';

const arg = JSON.parse(process.argv[2] ?? '{}') as {
  endpoint: string;
  clients: number;
  seconds: number;
  startAt: number;
  client: 'sdk' | 'signer';
};
const wait = arg.startAt - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));

const query = { RegionId: 'cn-hangzhou', ResourceType: 'PeerConnection', MaxResults: '1' };
const agent = new Agent({ keepAlive: true, maxSockets: arg.clients });
const [hostname, port] = arg.endpoint.split(':');

function signerCall(): Promise<number> {
  const { path, headers, body } = signedRequest({
    endpoint: arg.endpoint,
    action: 'ListTagResources',
    version: '2022-01-01',
    ...TEST_CREDENTIALS,
    query,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        method: 'POST',
        path,
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const until = Date.now() + arg.seconds * 1000;
let requests = 0;
let errors = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: arg.clients }, async () => {
    const sdk = emulatorPort(arg.endpoint);
    while (Date.now() < until) {
      try {
        if (arg.client === 'sdk') {
          await sdk.call('VpcPeer', 'cn-hangzhou', 'ListTagResources', query);
          requests++;
        } else if ((await signerCall()) === 200) requests++;
        else errors++;
      } catch {
        errors++;
      }
    }
  }),
);
process.stdout.write(`RESULT ${JSON.stringify({ requests, errors, ms: performance.now() - started })}\n`);
process.exit(0);
