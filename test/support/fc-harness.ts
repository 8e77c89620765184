/**
 * A stand-in for the emulator's HTTP server around the FC side alone, with a small in-memory
 * credential store (one long-term key plus STS sessions it issues). Used until `startEmulator` lands.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CredentialStore } from '../../emulator/contracts.ts';
import { type FcExtraOptions, type FcServiceWithAdmin, createFcService } from '../../emulator/fc/index.ts';

export interface FcHarness {
  url: string;
  accountId: string;
  region: string;
  key: { accessKeyId: string; accessKeySecret: string };
  fc: FcServiceWithAdmin;
  credentials: CredentialStore;
  close(): Promise<void>;
}

export function standInCredentials(accessKeyId: string, accessKeySecret: string): CredentialStore {
  const sessions = new Map<string, { secret: string; token: string }>();
  return {
    secretFor: (id) => (id === accessKeyId ? accessKeySecret : sessions.get(id)?.secret),
    tokenMatches: (id, token) => sessions.get(id)?.token === token && token !== undefined,
    issueSession() {
      const s = {
        accessKeyId: `STS.${randomBytes(8).toString('hex')}`,
        accessKeySecret: randomBytes(16).toString('hex'),
        securityToken: randomBytes(24).toString('base64'),
      };
      sessions.set(s.accessKeyId, { secret: s.accessKeySecret, token: s.securityToken });
      return s;
    },
  };
}

export async function startFcHarness(extra: FcExtraOptions = {}): Promise<FcHarness> {
  const accountId = '1234567890123456';
  const region = 'cn-hangzhou';
  const key = { accessKeyId: 'LTAI-fc-harness', accessKeySecret: 'harness-secret' };
  const credentials = standInCredentials(key.accessKeyId, key.accessKeySecret);
  let endpoint = '';
  const fc = createFcService({ credentials, accountId, region, endpoint: () => endpoint, retryBaseMs: 20, ...extra });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      fc.handle({ req, res, body: Buffer.concat(chunks), url }).then(
        (handled) => {
          if (!handled) {
            res.writeHead(404);
            res.end();
          }
        },
        (e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  endpoint = `127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    accountId,
    region,
    key,
    fc,
    credentials,
    async close() {
      await fc.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
