/**
 * Seams between the parts of the emulator: the HTTP server (server.ts), the OpenAPI side (openapi/),
 * and the FC side (fc/). The emulator never imports lib/ (DESIGN.md "two walls").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Who may call: the long-term key given at start, plus STS-style sessions the emulator issues. */
export interface CredentialStore {
  /** The secret for an access key id, or undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  /** Whether a security token is valid for an STS access key id (false for a long-term key). */
  tokenMatches(accessKeyId: string, securityToken: string | undefined): boolean;
  /** Issue STS-style credentials that this emulator accepts (for FC invocation contexts). */
  issueSession(): Required<Credentials>;
}

/** A request already read: the body is buffered so it can be hashed for signature checks. */
export interface ReadRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  url: URL;
}

/** A part of the emulator that may answer a request. Resolves true when it answered. */
export type RouteHandler = (r: ReadRequest) => Promise<boolean>;

export interface FcServiceOptions {
  credentials: CredentialStore;
  accountId: string;
  region: string;
  /** The emulator's own `host:port`, known once listening (functions reach the cloud through it). */
  endpoint: () => string;
}

export interface FcService {
  /** FC invoke paths (`/2023-03-30/...`, `/2016-08-15/...`) and `/__admin/functions|invocations`. */
  handle: RouteHandler;
  /** Forget invocations and registered functions. */
  reset(): void;
  /** Wait for queued async invocations to settle, then stop. */
  close(): Promise<void>;
}
