/**
 * The one secret scrubber of the codebase: every message bound for a report, a log line or an error
 * passes through `scrubSecrets`. It removes (1) values of parameters and headers named like secrets,
 * tokens or signatures, and (2) the known credential values of this process in every form an endpoint
 * or an SDK could echo them: raw, URL-encoded (once or twice, `%2B` or `+` for spaces), JSON-escaped,
 * base64 (standard, URL-safe, unpadded, and embedded at any alignment in a longer blob) and hex.
 *
 * Known values arrive two ways: a caller passes the credentials it used (the cloud port does), and
 * `rememberSecrets` registers them where credentials are obtained, so a scrub far from the call (the
 * report, the log) still knows them.
 */

/** Shorter values are not scrubbed by value: replacing a 3-character string everywhere would shred text. */
const MIN_SECRET_LENGTH = 8;
/** Shortest base64 run taken as an echo: shorter runs could occur by chance in ordinary text. */
const MIN_ENCODED_RUN = 12;
/** Registered secrets kept (a warm instance sees rotated STS credentials; old ones age out). */
const MAX_REMEMBERED = 32;
const REDACTED = '[redacted]';

const remembered: string[] = [];
const formsCache = new Map<string, readonly string[]>();

/** Registers credential values so every later scrub removes them, whoever calls it. */
export function rememberSecrets(...values: ReadonlyArray<string | undefined>): void {
  for (const v of values) {
    if (!v || v.length < MIN_SECRET_LENGTH || remembered.includes(v)) continue;
    remembered.push(v);
    if (remembered.length > MAX_REMEMBERED) formsCache.delete(remembered.shift() as string);
  }
}

/** The base64 characters that depend on `bytes` alone when they sit `shift` bytes into a longer blob. */
function base64Core(bytes: Buffer, shift: number): string {
  const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
  const full = Math.floor(padded.length / 3) * 4;
  return padded.toString('base64').slice(shift === 0 ? 0 : 4, full);
}

function formsOf(secret: string): readonly string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const bytes = Buffer.from(secret, 'utf8');
  const url = encodeURIComponent(secret);
  const forms = new Set<string>([
    secret,
    url,
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    encodeURIComponent(url),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ]);
  for (let shift = 0; shift < 3; shift++) {
    const core = base64Core(bytes, shift);
    if (core.length < MIN_ENCODED_RUN) continue;
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  // Longest first, so a form never leaves a fragment of a longer one behind.
  const out = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  formsCache.set(secret, out);
  return out;
}

const NAMED_VALUE =
  /((?:access[-_]?key[-_]?secret|secret[-_]?access[-_]?key|accesskeysecret|security[-_]?token|securitytoken|x-acs-security-token|signature|client[-_]?secret|password)["']?\s*[:=]\s*["']?)[^"'&,;\s]+/gi;
const AUTHORIZATION = /(authorization["']?\s*[:=]\s*["']?)[^"',;\n]+/gi;

/**
 * `text` with every secret removed: the named-value patterns, the registered credentials and `known`
 * (credentials the caller used), each in every encoded form. Pure apart from reading the registry.
 */
export function scrubSecrets(text: string, known: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  const secrets = new Set<string>(remembered);
  for (const k of known) if (k && k.length >= MIN_SECRET_LENGTH) secrets.add(k);
  for (const secret of secrets) {
    for (const form of formsOf(secret)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out.replace(AUTHORIZATION, `$1${REDACTED}`).replace(NAMED_VALUE, `$1${REDACTED}`);
}
