/**
 * A second ACS3-HMAC-SHA256 client, written from reference/alibaba-openapi.md section 10 (not from the
 * emulator's verifier nor the SDK's signer), so the emulator cannot merely agree with its own bugs.
 * It lets a test pick the date, the nonce and the secret, and send form bodies.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';

export interface Acs3Call {
  endpoint: string; // host:port
  action: string;
  version: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  query?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  date?: Date;
  nonce?: string;
  /** Extra headers (signed when they are x-acs-*). */
  headers?: Record<string, string>;
  /** Leave these out of SignedHeaders (to test refusals). */
  unsigned?: string[];
}

export interface Acs3Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

// RFC 3986 unreserved kept, everything else percent-encoded, upper-case hex.
function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function acsDate(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function signedRequest(call: Acs3Call) {
  const query = call.query ?? {};
  const keys = Object.keys(query).sort();
  const canonicalQuery = keys.map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`).join('&');
  const body = call.form
    ? Object.entries(call.form)
        .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
        .join('&')
    : '';
  const payloadHash = sha256(body);
  const headers: Record<string, string> = {
    host: call.endpoint,
    'x-acs-action': call.action,
    'x-acs-version': call.version,
    'x-acs-date': acsDate(call.date ?? new Date()),
    'x-acs-signature-nonce': call.nonce ?? randomUUID(),
    'x-acs-content-sha256': payloadHash,
    ...(call.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...(call.securityToken
      ? { 'x-acs-security-token': call.securityToken, 'x-acs-accesskey-id': call.accessKeyId }
      : {}),
    ...call.headers,
  };
  const signedNames = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => (h === 'host' || h === 'content-type' || h.startsWith('x-acs-')) && !call.unsigned?.includes(h))
    .sort();
  const canonicalHeaders = signedNames.map((h) => `${h}:${headers[h]!.trim()}\n`).join('');
  const canonicalRequest = `POST\n/\n${canonicalQuery}\n${canonicalHeaders}\n${signedNames.join(';')}\n${payloadHash}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256(canonicalRequest)}`;
  const signature = createHmac('sha256', call.accessKeySecret).update(stringToSign).digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${call.accessKeyId},SignedHeaders=${signedNames.join(';')},Signature=${signature}`;
  const path = canonicalQuery ? `/?${canonicalQuery}` : '/';
  return { path, headers, body };
}

/** Sends one signed call; resolves with the status and the parsed JSON body. */
export function acs3Call(call: Acs3Call): Promise<Acs3Answer> {
  const { path, headers, body } = signedRequest(call);
  const [hostname, port] = call.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port: Number(port),
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
