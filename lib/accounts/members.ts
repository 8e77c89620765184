/**
 * Which accounts a policy's `accounts` names: its `ids`, or every member of the Resource Directory
 * (narrowed to `folders`), less `exclude`, each once, in the order given or listed.
 */
import type { DirectoryReader } from './directory.ts';
import { inFolders } from './directory.ts';

/** The policy's `accounts` block (lib/policy/schema.ts). */
export interface AccountsSpec {
  roleName: string;
  ids?: string[] | undefined;
  resourceDirectory?: true | undefined;
  folders?: string[] | undefined;
  exclude?: string[] | undefined;
}

export async function resolveMembers(spec: AccountsSpec, directory: () => DirectoryReader): Promise<string[]> {
  const excluded = new Set(spec.exclude ?? []);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (id: string) => {
    if (excluded.has(id) || seen.has(id)) return;
    seen.add(id);
    out.push(id);
  };
  if (spec.ids) {
    for (const id of spec.ids) add(id);
    return out;
  }
  for await (const page of directory().accounts()) {
    for (const a of page) if (!spec.folders?.length || inFolders(a, spec.folders)) add(a.accountId);
  }
  return out;
}
