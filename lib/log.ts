/**
 * The function's log: one JSON line per event, written to stdout (FC ships it to the log store). The
 * report is one line at the end; a run with more resources than the report's cap also writes the full
 * list while it runs, in lines of at most `logResourcesPerLine` resources tagged with the run id.
 */
import { redactSecrets } from './errors.ts';
import type { ResourceOutcome } from './types.ts';

/** Where JSON lines go (stdout in FC; a collector in tests). */
export type LogSink = (line: string) => void;

/** Default sink: stdout through console.log (FC's runtime captures it per request). */
export const consoleSink: LogSink = (line) => console.log(line);

/** Write one JSON line; secrets that slipped into a message are scrubbed. */
export function logJson(record: Record<string, unknown>, sink: LogSink = consoleSink): void {
  sink(redactSecrets(JSON.stringify(record)));
}

/** The run's closing line: the report (its resource list already cut to the cap). */
export function logReport(report: object, sink: LogSink = consoleSink): void {
  logJson({ kind: 'report', ...report }, sink);
}

/** Where a run's outcomes go as they become final; `flush` after the run. */
export interface ResourceLog {
  add(outcome: ResourceOutcome): void;
  flush(): void;
}

/**
 * Streams a run's outcomes to the log in lines of at most `perLine` resources, each tagged with the run
 * id, a part number and (on the final one) `last: true`, so a log query can reassemble the list. The
 * first `cap` outcomes are held back: a run that never passes the cap writes no such line, since its
 * report line already lists every resource. Memory stays bounded by `max(cap, perLine)`.
 */
export function createResourceLog(
  runId: string,
  opts: { cap: number; perLine: number },
  sink: LogSink = consoleSink,
): ResourceLog {
  let held: ResourceOutcome[] = [];
  let line: ResourceOutcome[] = [];
  let streaming = false;
  let part = 0;
  const emit = (last: boolean) => {
    part++;
    logJson({ kind: 'resources', runId, part, ...(last ? { last: true } : {}), resources: line }, sink);
    line = [];
  };
  const push = (o: ResourceOutcome) => {
    if (line.length >= opts.perLine) emit(false);
    line.push(o);
  };
  return {
    add(o) {
      if (streaming) return push(o);
      held.push(o);
      if (held.length > opts.cap) {
        streaming = true;
        for (const h of held) push(h);
        held = [];
      }
    },
    flush() {
      if (streaming) emit(true);
    },
  };
}
