/**
 * The policy's `accounts` block (issue 11): whose accounts a run cleans. Validated as strictly as the
 * rest: 16-digit account ids, a role name RAM accepts (CreateRole: at most 64 characters, letters,
 * digits, `.` and `-`), folder ids as the Resource Directory spells them (`fd-…`), and exactly one of
 * `ids` / `resourceDirectory`. Absent: the caller's own account, as before.
 */
import { z } from 'zod';

export const ACCOUNT_ID_PATTERN = /^\d{16}$/;
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9.-]{1,64}$/;
export const FOLDER_ID_PATTERN = /^fd-[A-Za-z0-9]{1,64}$/;

const AccountId = z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 16-digit account id');

const uniqueIds = (ids: string[]) => new Set(ids).size === ids.length;

export const AccountsSchema = z
  .strictObject({
    roleName: z
      .string()
      .regex(ROLE_NAME_PATTERN, 'must be a RAM role name: 1-64 letters, digits, "." or "-"')
      .describe('The RAM role each member account holds for this tool (acs:ram::<member>:role/<roleName>).'),
    ids: z
      .array(AccountId)
      .min(1, 'must not be empty when given')
      .refine(uniqueIds, 'must not repeat an account id')
      .optional()
      .describe('These member accounts (16-digit ids).'),
    resourceDirectory: z
      .literal(true, 'must be true when given')
      .optional()
      .describe('Every member of the Resource Directory (ListAccounts).'),
    folders: z
      .array(z.string().regex(FOLDER_ID_PATTERN, 'must be a Resource Directory folder id (fd-...)'))
      .min(1, 'must not be empty when given')
      .optional()
      .describe('With resourceDirectory: only accounts in (or under) these folders.'),
    exclude: z.array(AccountId).optional().describe('Accounts left out.'),
  })
  .superRefine((a, ctx) => {
    if ((a.ids === undefined) === (a.resourceDirectory === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of ids or resourceDirectory', path: [] });
    if (a.folders !== undefined && a.resourceDirectory === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'folders narrows resourceDirectory: give resourceDirectory: true',
        path: ['folders'],
      });
  });

export type AccountsPolicy = z.output<typeof AccountsSchema>;
