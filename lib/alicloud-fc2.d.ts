/** The slice of `@alicloud/fc2` 2.6.6 this project uses (the package ships no types). */
declare module '@alicloud/fc2' {
  interface FCClientConfig {
    accessKeyID: string;
    accessKeySecret: string;
    securityToken?: string | undefined;
    region: string;
    secure?: boolean;
    internal?: boolean;
    endpoint?: string;
    timeout?: number;
    headers?: Record<string, string>;
  }
  interface FCResponse {
    headers: Record<string, string | undefined>;
    data: unknown;
  }
  class FCClient {
    constructor(accountId: string, config: FCClientConfig);
    /** `${proto}://${accountId}.${region}.fc.aliyuncs.com`, or the configured endpoint. */
    endpoint: string;
    /** accept, date, host, user-agent, x-fc-account-id (and x-fc-security-token for an STS key). */
    buildHeaders(): Record<string, string>;
    /** `FC <id>:<base64 hmac-sha256>` over method, content-md5, content-type, date, x-fc-* headers, path. */
    static getSignature(
      accessKeyID: string,
      accessKeySecret: string,
      method: string,
      path: string,
      headers: Record<string, string>,
      queries: Record<string, string> | null,
    ): string;
    /** API version in the path; `'2023-03-30'` reaches FC 3.0 paths through `post()`. */
    version: string;
    post(
      path: string,
      body: string | Buffer,
      headers?: Record<string, string>,
      queries?: Record<string, string> | null,
    ): Promise<FCResponse>;
    invokeFunction(
      service: string,
      fn: string,
      event: string | Buffer,
      headers?: Record<string, string>,
      qualifier?: string,
    ): Promise<FCResponse>;
  }
  export default FCClient;
}
