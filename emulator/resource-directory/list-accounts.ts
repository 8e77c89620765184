/**
 * Resource Directory `ListAccounts` (resourcemanager 2020-03-31): the directory's member accounts, paged
 * by `PageNumber` (from 1) and `PageSize` (1-100, default 10), each with `FolderId` (its direct folder)
 * and `ResourceDirectoryPath` (the folder chain). Only the management account may call it; anyone else
 * is refused `NoPermission` 403 (a member's own call would see no directory: the exact code is unverified).
 */
import type { AccountDirectory } from '../accounts/directory.ts';
import { DIRECTORY_ID } from '../accounts/directory.ts';
import type { ApiAnswer } from '../contracts.ts';

export function listAccounts(
  params: Record<string, string>,
  callerAccount: string,
  directory: AccountDirectory,
): ApiAnswer {
  if (callerAccount !== directory.managementAccountId)
    return {
      status: 403,
      body: { Code: 'NoPermission', Message: 'You are not authorized to do this action (not the management account).' },
    };
  const pageNumber = params.PageNumber === undefined ? 1 : Number(params.PageNumber);
  const pageSize = params.PageSize === undefined ? 10 : Number(params.PageSize);
  if (!Number.isInteger(pageNumber) || pageNumber < 1)
    return { status: 400, body: { Code: 'InvalidParameter.PageNumber', Message: 'The PageNumber is invalid.' } };
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    return { status: 400, body: { Code: 'InvalidParameter.PageSize', Message: 'The PageSize is invalid.' } };
  const all = directory.list();
  const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    status: 200,
    body: {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      Accounts: {
        Account: page.map((a) => ({
          AccountId: a.accountId,
          DisplayName: a.displayName,
          FolderId: a.folderId,
          ResourceDirectoryId: DIRECTORY_ID,
          ResourceDirectoryPath: a.path,
          Status: 'CreateSuccess',
          Type: 'ResourceAccount',
          JoinMethod: 'created',
        })),
      },
    },
  };
}
