/**
 * The run store: where each run keeps its records under `<runId>/` (the journal of removed values, the
 * final report, the plan it executed, restore reports). One port, two backends: a local directory
 * (`lib/store/local.ts`) and OSS (`lib/store/oss.ts`). Keys are relative, `/`-separated, never absolute.
 *
 * Durability contract: once `put` resolves, the object is whole and survives a crash of this process;
 * a `put` cut by a crash leaves either the old object or none, never a torn one. Writers never update an
 * object in place for the journal: each group of records is a new object, so concurrent writers of the
 * same run (an FC re-delivery) never clobber each other.
 */

export interface RunStore {
  /** Where the store is, as the user named it (`./dir`, `oss://bucket/prefix`): for messages and reports. */
  readonly location: string;
  /** Writes the whole object at `key` (replacing it); durable when resolved. */
  put(key: string, body: string): Promise<void>;
  /** The object at `key`, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Every key that starts with `prefix`, sorted (a prefix ending in `/` lists a folder, recursively). */
  list(prefix: string): Promise<string[]>;
}

/** Names of a run's objects in the store (one table, so readers and writers agree). */
export const StoreKeys = {
  /** Run id as a folder name: refused when it could escape its folder or collide with another run's. */
  run: (runId: string) => `${runId}/`,
  journalPrefix: (runId: string) => `${runId}/journal/`,
  /** One group of journal records; `writer` is unique per process, `seq` grows per writer. */
  journalSegment: (runId: string, writer: string, seq: number) =>
    `${runId}/journal/${writer}-${String(seq).padStart(8, '0')}.jsonl`,
  report: (runId: string) => `${runId}/report.json`,
  /** The report of one invocation of a run that has several (fan-out shards, continuation hops). */
  taskReport: (runId: string, taskId: string) => `${runId}/reports/${taskId}.json`,
  taskReportPrefix: (runId: string) => `${runId}/reports/`,
  plan: (runId: string) => `${runId}/plan.json`,
  /** What `run --continue` resumes after a Ctrl-C (bin/continuation-file.ts). */
  continuation: (runId: string) => `${runId}/continuation.json`,
  restorePrefix: (runId: string) => `${runId}/restore/`,
  restore: (runId: string, restoreId: string) => `${runId}/restore/${restoreId}.json`,
} as const;

/** Why `runId` cannot name a folder of the store, or undefined when it can. */
export function runIdProblem(runId: string): string | undefined {
  if (runId.length === 0) return 'is empty';
  if (runId.length > 200) return 'is longer than 200 characters';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@=+-]*$/.test(runId))
    return 'may hold only letters, digits and . _ : @ = + - (and must start with a letter or digit)';
  return undefined;
}
