/**
 * Where the engine's credentials come from: inside FC, the invocation context's (short-lived STS)
 * credentials; elsewhere the `@alicloud/credentials` default chain (`ALIBABA_CLOUD_ACCESS_KEY_ID`,
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN`, profile files, ECS RAM role ...).
 * The package is loaded lazily: inside FC it is never needed, and its load costs cold-start time.
 */

export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** A fixed set of credentials, or a provider asked before each call (so rotated STS tokens are picked up). */
export type CredentialsSource = CloudCredentials | (() => Promise<CloudCredentials>);

/** The FC invocation context's credentials, when the function runs with a role. */
export function credentialsFromContext(context: unknown): CloudCredentials | undefined {
  const c = (context as { credentials?: Record<string, unknown> } | undefined)?.credentials;
  if (!c || typeof c.accessKeyId !== 'string' || typeof c.accessKeySecret !== 'string' || !c.accessKeyId)
    return undefined;
  const creds: CloudCredentials = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret };
  if (typeof c.securityToken === 'string' && c.securityToken) creds.securityToken = c.securityToken;
  return creds;
}

/** A provider over the `@alicloud/credentials` default chain, built on first use. */
export function defaultCredentialChain(): () => Promise<CloudCredentials> {
  let credential:
    | Promise<{ getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }> }>
    | undefined;
  return async () => {
    credential ??= import('@alicloud/credentials').then((mod) => {
      // Under ESM the default import is the CommonJS module.exports object; the class is its `.default`.
      const m = mod as unknown as { default: { default?: new () => unknown } & (new () => unknown) };
      const Credential = (m.default.default ?? m.default) as new () => {
        getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
      };
      return new Credential();
    });
    const model = await (await credential).getCredential();
    if (!model.accessKeyId || !model.accessKeySecret)
      throw new Error('no Alibaba Cloud credentials found in the default chain');
    const creds: CloudCredentials = { accessKeyId: model.accessKeyId, accessKeySecret: model.accessKeySecret };
    if (model.securityToken) creds.securityToken = model.securityToken;
    return creds;
  };
}

/** Context credentials when present, else the default chain. */
export function resolveCredentials(context?: unknown): CredentialsSource {
  return credentialsFromContext(context) ?? defaultCredentialChain();
}
