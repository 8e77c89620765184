import { describe, expect, it } from 'vitest';
import { isAuthFailureCode, isOutcomeUnknownCode, isSplitParamCode, isUnreachableCode } from '../../lib/catalog.ts';

describe('the write path code tables', () => {
  it('stops the run only on credential and permission refusals, not on a refused key', () => {
    for (const code of [
      'SignatureDoesNotMatch',
      'IncompleteSignature',
      'InvalidAccessKeyId.NotFound',
      'InvalidAccessKeyId.Inactive',
      'InvalidSecurityToken.Expired',
      'Forbidden.RAM',
      'Forbidden.NoPermission',
      'Forbidden',
      'NoPermission',
    ])
      expect(isAuthFailureCode(code), code).toBe(true);
    for (const code of ['Forbidden.TagKeys', 'Forbidden.TagKey.Duplicated', 'Throttling.User', 'IllegalParam.TagKey'])
      expect(isAuthFailureCode(code), code).toBe(false);
  });

  it('splits on key and resource parameter errors, never on not-found or too-large answers', () => {
    for (const code of ['IllegalParam.TagKey', 'InvalidTagKey', 'Forbidden.TagKeys', 'IllegalParam.ResourceId'])
      expect(isSplitParamCode(code), code).toBe(true);
    for (const code of ['InvalidResourceId.NotFound', 'IllegalParamSize.ResourceIds', 'NumberExceed.ResourceIds'])
      expect(isSplitParamCode(code), code).toBe(false);
  });

  it('reads back after answers that may hide an applied write, not after refusals before sending', () => {
    for (const code of ['ECONNRESET', 'ReadTimeout', 'InternalError', 'SyntaxError'])
      expect(isOutcomeUnknownCode(code), code).toBe(true);
    expect(isOutcomeUnknownCode('Whatever', 502)).toBe(true);
    for (const code of ['ConnectTimeout', 'ECONNREFUSED', 'Throttling.User', 'SignatureDoesNotMatch'])
      expect(isOutcomeUnknownCode(code, 400), code).toBe(false);
    expect(isUnreachableCode('ECONNREFUSED')).toBe(true);
    expect(isUnreachableCode('ECONNRESET')).toBe(false);
  });
});
