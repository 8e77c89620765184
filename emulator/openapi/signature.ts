/**
 * ACS3-HMAC-SHA256 verification, rebuilt from reference/alibaba-openapi.md section 10 (not from the
 * SDK's signer): canonical request from the decoded query re-encoded, the signed-header list taken
 * from the Authorization header (it must cover `host` and every `x-acs-*` header present), payload
 * hash recomputed from the body bytes, STS token checked, date skew and nonce reuse refused.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorCredentialStore } from './credentials.ts';
import { GatewayRefusal } from './errors.ts';

const ALGORITHM = 'ACS3-HMAC-SHA256';
/** The cloud refuses `x-acs-date` more than 15 minutes off its clock. */
export const MAX_SKEW_MS = 15 * 60_000;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface VerifiedCaller {
  accessKeyId: string;
  /** True for an STS session the emulator issued. */
  sts: boolean;
}

/** `encodeURIComponent` plus `!'()*`, as the canonical query and the SDK's signer use. */
export function acsEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Canonical query: decoded pairs, sorted by key (code units), re-encoded, `key=` for empty values. */
export function canonicalQuery(query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of query) pairs.push([k, v]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([k, v]) => `${acsEncode(k)}=${acsEncode(v)}`).join('&');
}

export function canonicalUri(path: string): string {
  return path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(value: string | undefined): ParsedAuthorization {
  if (!value) throw new GatewayRefusal('IncompleteSignature', 'The Authorization header is missing.');
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space) !== ALGORITHM) {
    throw new GatewayRefusal('IncompleteSignature', `The signature algorithm must be ${ALGORITHM}.`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new GatewayRefusal('IncompleteSignature');
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    throw new GatewayRefusal('IncompleteSignature');
  }
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** Nonces seen in the skew window, with bounded memory (oldest dropped first beyond the cap). */
export class NonceWindow {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs = MAX_SKEW_MS,
    // 300,000 nonces is a minute at 5,000 req/s; beyond it the oldest go first. A replay older
    // than that inside the 15-minute window slips through: acceptable for an emulator.
    private readonly cap = 300_000,
  ) {}

  /** Records the nonce; false when it was already seen inside the window. */
  claim(nonce: string, now: number): boolean {
    this.evict(now);
    const until = this.seen.get(nonce);
    if (until !== undefined && until > now) return false;
    if (until !== undefined) this.seen.delete(nonce);
    this.seen.set(nonce, now + this.windowMs);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }

  private evict(now: number): void {
    // Insertion order is expiry order (window is constant), so expired entries sit at the front.
    for (const [nonce, until] of this.seen) {
      if (until > now && this.seen.size < this.cap) break;
      this.seen.delete(nonce);
    }
  }
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  // Repeated headers: values trimmed, sorted, joined with ',' (reference section 10).
  if (Array.isArray(value))
    return value
      .map((v) => v.trim())
      .sort()
      .join(',');
  return value.trim();
}

/**
 * Verifies one request; resolves the caller or throws a GatewayRefusal with the cloud's code.
 * The nonce is claimed only once the signature holds, so a forged request cannot burn it.
 */
export function verifyAcs3(
  request: SignedRequest,
  credentials: EmulatorCredentialStore,
  nonces: NonceWindow,
  now: number,
): VerifiedCaller {
  const { headers } = request;
  const auth = parseAuthorization(headerText(headers, 'authorization'));

  const signed = new Set(auth.signedHeaders);
  if (!signed.has('host')) throw new GatewayRefusal('IncompleteSignature', 'The host header must be signed.');
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-acs-') && !signed.has(name)) {
      throw new GatewayRefusal('IncompleteSignature', `The header ${name} must be signed.`);
    }
  }
  for (let i = 1; i < auth.signedHeaders.length; i++) {
    if (auth.signedHeaders[i - 1]! >= auth.signedHeaders[i]!) {
      throw new GatewayRefusal('IncompleteSignature', 'SignedHeaders must be lower-case, sorted and unique.');
    }
  }

  const secret = credentials.secretFor(auth.accessKeyId);
  if (secret === undefined) throw new GatewayRefusal('InvalidAccessKeyId.NotFound');
  const sts = auth.accessKeyId.startsWith('STS.');
  const token = headerText(headers, 'x-acs-security-token');
  if (sts || token !== undefined) {
    const problem = credentials.checkToken(auth.accessKeyId, token);
    if (problem) throw new GatewayRefusal(`InvalidSecurityToken.${problem}`);
  }

  const date = headerText(headers, 'x-acs-date');
  if (!date || !DATE_SHAPE.test(date)) throw new GatewayRefusal('InvalidTimeStamp.Format');
  const at = Date.parse(date);
  if (Number.isNaN(at)) throw new GatewayRefusal('InvalidTimeStamp.Format');
  if (Math.abs(now - at) > MAX_SKEW_MS) throw new GatewayRefusal('InvalidTimeStamp.Expired');

  const nonce = headerText(headers, 'x-acs-signature-nonce');
  if (!nonce) throw new GatewayRefusal('IncompleteSignature', 'The x-acs-signature-nonce header is missing.');

  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (headerText(headers, 'x-acs-content-sha256') !== payloadHash) {
    throw new GatewayRefusal('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the body.');
  }

  let canonicalHeaders = '';
  for (const name of auth.signedHeaders) {
    const value = headerText(headers, name);
    if (value === undefined) throw new GatewayRefusal('IncompleteSignature', `Signed header ${name} is missing.`);
    canonicalHeaders += `${name}:${value}\n`;
  }
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // As the cloud does, show the server's string to sign (no secret in it) to help debug a client.
    throw new GatewayRefusal(
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation. server string to sign is:${stringToSign}`,
    );
  }

  if (!nonces.claim(nonce, now)) throw new GatewayRefusal('SignatureNonceUsed');
  return { accessKeyId: auth.accessKeyId, sts };
}
