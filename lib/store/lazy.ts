/**
 * A store that is usable at once while its backend opens (loading `ali-oss`, resolving credentials):
 * every call waits for the opening, and an opening that failed fails each call with its error. The
 * journal's first write then overlaps the run's listing instead of coming before it.
 */
import type { RunStore } from './port.ts';

export function lazyStore(location: string, opening: Promise<RunStore>): RunStore {
  // Nobody may be waiting yet: the failure is reported by the first call, not as an unhandled rejection.
  opening.catch(() => undefined);
  return {
    location,
    put: async (key, body) => (await opening).put(key, body),
    get: async (key) => (await opening).get(key),
    list: async (prefix) => (await opening).list(prefix),
  };
}
