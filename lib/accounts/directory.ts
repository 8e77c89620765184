/**
 * The members of a Resource Directory, through `@alicloud/resourcemanager20200331` `ListAccounts`
 * (endpoint `resourcemanager.aliyuncs.com`, or `VPC_TAG_CLEANUP_ENDPOINT`), paged 100 at a time as an
 * async iterator. Each account carries its `FolderId` and `ResourceDirectoryPath`, so `folders` can narrow
 * to accounts anywhere under a folder (its path names it), not only those directly in it.
 */

import { $OpenApiUtil } from '@alicloud/openapi-core';
import RmModule, { ListAccountsRequest } from '@alicloud/resourcemanager20200331';
import * as $dara from '@darabonba/typescript';
import type { CredentialsSource } from '../cloud/credentials.ts';
import { AccountAccessError, sdkFailureOf } from './sdk-failure.ts';

type RmClass = typeof RmModule.default;
const Rm = ((RmModule as unknown as { default?: RmClass }).default ?? RmModule) as RmClass;

export interface DirectoryAccount {
  accountId: string;
  folderId: string;
  /** `rd-xxx/fd-root/fd-a/<account>`: the folder chain. */
  path: string;
}

/** The port: page through the directory's accounts. Throws AccountAccessError (code and request id) on a refusal. */
export interface DirectoryReader {
  accounts(): AsyncIterable<DirectoryAccount[]>;
  /** ListAccounts calls made. */
  readonly calls: number;
}

/** The most ListAccounts returns per page. */
export const LIST_ACCOUNTS_PAGE_SIZE = 100;

export function createDirectoryReader(options: {
  credentials: CredentialsSource;
  endpoint?: string | undefined;
  pageSize?: number;
}): DirectoryReader {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async *accounts() {
      const c = typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
      const client = new Rm(
        new $OpenApiUtil.Config({
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          ...(c.securityToken ? { securityToken: c.securityToken } : {}),
          endpoint: options.endpoint?.replace(/^[a-z]+:\/\//i, '') ?? 'resourcemanager.aliyuncs.com',
          protocol: options.endpoint ? 'HTTP' : 'HTTPS',
          readTimeout: 10_000,
          connectTimeout: 5_000,
        }),
      );
      const pageSize = options.pageSize ?? LIST_ACCOUNTS_PAGE_SIZE;
      for (let page = 1; ; page++) {
        calls++;
        let body: Awaited<ReturnType<typeof client.listAccountsWithOptions>>['body'];
        try {
          body = (
            await client.listAccountsWithOptions(
              new ListAccountsRequest({ pageNumber: page, pageSize }),
              new $dara.RuntimeOptions({ autoretry: false }),
            )
          ).body;
        } catch (error) {
          throw new AccountAccessError(
            '(resource directory)',
            sdkFailureOf(error, [c.accessKeySecret, c.securityToken]),
          );
        }
        const items = body?.accounts?.account ?? [];
        yield items
          .filter((a) => typeof a.accountId === 'string')
          .map((a) => ({
            accountId: a.accountId as string,
            folderId: a.folderId ?? '',
            path: a.resourceDirectoryPath ?? '',
          }));
        if (items.length < pageSize || page * pageSize >= (body?.totalCount ?? 0)) return;
      }
    },
  };
}

/** Whether an account sits in (or under) one of `folders`. */
export function inFolders(a: DirectoryAccount, folders: readonly string[]): boolean {
  const chain = new Set(a.path.split('/'));
  return folders.some((f) => a.folderId === f || chain.has(f));
}
