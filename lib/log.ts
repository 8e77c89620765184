/**
 * The function's log: one JSON line per event, written to stdout (FC ships it to the log store). The
 * report is one line; when its resource list was cut, the full list follows in lines of at most
 * `logResourcesPerLine` resources, each tagged with the run id so a log query can reassemble it.
 */
import { LIMITS } from './catalog.ts';
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

/** The report line, then (when cut) the full resource list in parts. */
export function logReport(report: { runId?: string; resourcesTruncated?: boolean }, full: readonly ResourceOutcome[] | undefined, sink: LogSink = consoleSink, perLine = LIMITS.logResourcesPerLine): void {
  logJson({ kind: 'report', ...report }, sink);
  if (!report.resourcesTruncated || !full) return;
  const parts = Math.ceil(full.length / perLine);
  for (let i = 0; i < parts; i++) {
    logJson({ kind: 'resources', runId: report.runId, part: i + 1, parts, resources: full.slice(i * perLine, (i + 1) * perLine) }, sink);
  }
}
