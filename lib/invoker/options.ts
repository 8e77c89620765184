/** What every invoker is built from: whose credentials, which account and region, where FC listens. */
import type { CloudCredentials } from '../cloud/credentials.ts';

export interface InvokerOptions {
  credentials: CloudCredentials;
  accountId: string;
  region: string;
  /**
   * `http://host:port` (`VPC_TAG_CLEANUP_FC_ENDPOINT`, the emulator). Default: FC's host for the account
   * and region over https, `<account>.<region>[-internal].fc.aliyuncs.com`
   * (alibabacloud.com/help/en/functioncompute/fc-3-0/developer-reference/fc-endpoints).
   */
  endpoint?: string | undefined;
  /** The region's internal host (inside FC); the public one otherwise (a workstation). */
  internal?: boolean;
  /** Read timeout of one call, ms. */
  timeoutMs?: number;
}

/** The default FC host of an account and region. */
export function fcHost(options: InvokerOptions): string {
  return `${options.accountId}.${options.region}${options.internal ? '-internal' : ''}.fc.aliyuncs.com`;
}

/** A sync answer's body as a value: JSON when it parses, else text. */
export function decodeAnswer(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
