/**
 * The FC 3.0 invocation context, as far as this function reads it (reference/function-compute.md
 * section 1). Every field is optional here: the handler is also called outside FC (tests, the CLI),
 * and must not trust a shape it cannot check.
 */
/** The invocation context FC passes as the handler's second argument. */
export interface FcContext {
  requestId?: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function?: { name?: string; handler?: string; memory?: number; timeout?: number };
  /** Kept by FC 3.0 for 2.0 compatibility; the 2016-08-15 invoker's default service. */
  service?: { name?: string };
  region?: string;
  accountId?: string;
  retryCount?: number;
  logger?: unknown;
}

/** Whether the handler runs inside FC (or an emulation of it): the context names the function. */
export function insideFc(context: FcContext | undefined): boolean {
  return typeof context?.function?.name === 'string' && context.function.name !== '';
}
