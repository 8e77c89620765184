/**
 * STS `AssumeRole` (2015-04-01), from the API page (alibabacloud.com/help/en/ram/developer-reference/
 * api-sts-2015-04-01-assumerole) and STS's common-error page (help doc 42775):
 * - `RoleArn` `acs:ram::<account>:role/<name>`; a role the account does not hold: `EntityNotExist.Role` 404;
 *   a role whose trust policy does not name the caller's account: `NoPermission` 403.
 * - `RoleSessionName` `^[a-zA-Z0-9.@_-]{2,64}$` (the error page says 2-32, the API page 2-64: the longer is
 *   taken, the engine keeps its names within 32): else `InvalidParameter.RoleSessionName` 400.
 * - `DurationSeconds` 900-3600 (default 3600): else `InvalidParameter.DurationSeconds` 400.
 * The credentials it issues act in the member account: `STS.`-prefixed key, a security token, and an
 * `Expiration` the gateway enforces (`InvalidSecurityToken.Expired`).
 */

import type { AccountDirectory } from '../accounts/directory.ts';
import type { ApiAnswer, CredentialStore } from '../contracts.ts';

const ROLE_ARN = /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/;
const SESSION_NAME = /^[a-zA-Z0-9.@_-]{2,64}$/;

function refuse(status: number, Code: string, Message: string): ApiAnswer {
  return { status, body: { Code, Message } };
}

export function assumeRole(
  params: Record<string, string>,
  callerAccount: string,
  directory: AccountDirectory,
  credentials: CredentialStore,
): ApiAnswer {
  const arn = params.RoleArn ?? '';
  const m = ROLE_ARN.exec(arn);
  if (!m) return refuse(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
  const sessionName = params.RoleSessionName ?? '';
  if (!SESSION_NAME.test(sessionName))
    return refuse(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
  const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
  if (!Number.isInteger(duration) || duration < 900 || duration > 3600)
    return refuse(400, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/1hr.');
  const [, accountId, roleName] = m as unknown as [string, string, string];
  const role = directory.role(accountId, roleName);
  if (!role) return refuse(404, 'EntityNotExist.Role', `The role not exists: ${arn}.`);
  if (!role.trust.includes(callerAccount))
    return refuse(
      403,
      'NoPermission',
      'You are not authorized to do this action. You should be authorized by RAM. (the role does not trust this account)',
    );
  const seconds = role.sessionSeconds ?? duration;
  const session = credentials.issueSession({ accountId, ttlMs: seconds * 1000 });
  const roleId = `3${accountId.slice(0, 17)}`;
  return {
    status: 200,
    body: {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        AccessKeySecret: session.accessKeySecret,
        SecurityToken: session.securityToken,
        Expiration: new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      AssumedRoleUser: {
        Arn: `acs:ram::${accountId}:role/${role.roleName.toLowerCase()}/${sessionName}`,
        AssumedRoleId: `${roleId}:${sessionName}`,
      },
    },
  };
}
