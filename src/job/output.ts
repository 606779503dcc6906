import { BulkError } from '../errors.js';
import type { SourceInfo } from '../prepare/index.js';
import { FileSink, recordedCounts, ReportWriter, RejectsWriter } from '../report/index.js';
import type { RecordedCounts } from '../report/index.js';
import type { Settings } from './settings.js';
import type { Stopper } from './stopper.js';

/** What a report holds after a write to it failed: its lines by status, and the rows sent that it lacks. */
export interface Recorded {
  readonly counts: RecordedCounts;
  readonly sentUnrecorded: number;
}

/** Where a run's outcomes go: the report (and rejects) files. */
export interface Output {
  readonly report: ReportWriter;
  readonly rejects: RejectsWriter | undefined;
  close(): Promise<void>;
  /** After a write failed (disk full): which file, why, what it lost and how to carry on, in one line. */
  failureNote(settings: Settings, recorded: Recorded | undefined): string;
  /** Once closed: what the report holds, read back from it, when a write to it failed; undefined when none did. */
  recorded(): Promise<Recorded | undefined>;
}

/**
 * What a failed report write means for the user. Rows whose report line was lost were sent (and most
 * likely stored): --resume sends them again, and with the eventIds bulk-submit generates the service
 * stores none of them twice; without them (--event-ids service) it may.
 */
function failureNote(report: FileSink, rejects: FileSink | undefined, settings: Settings, recorded: Recorded | undefined): string {
  const failed = report.failure !== undefined ? report : rejects;
  if (!failed) return 'a report write failed';
  const head = `cannot write the ${failed === report ? 'report' : 'rejects'} file ${failed.path} (${failed.failure})`;
  if (!settings.send) return `${head}; free space, then run again`;
  if (failed !== report) return `${head}; the report holds every row done: free space, then run again with --resume, which writes the rejects file anew`;
  const lost = recorded?.sentUnrecorded ?? report.lost;
  if (lost === 0) return `${head}; every row sent is in the report: free space, then run again with --resume`;
  const rows = `${lost.toLocaleString('en-US')} row${lost === 1 ? ' was' : 's were'} sent but not recorded`;
  return settings.prepare.eventIds !== 'service'
    ? `${head}: ${rows}; free space, then run again with --resume: it sends them again with the same eventIds, so the service stores none of them twice`
    : `${head}: ${rows}; free space, then run again with --resume: it sends them again, and as they carry no eventId of ours (--event-ids service) the service may store them twice`;
}

/**
 * Opens the report (appending on --resume) and the rejects file, which takes one format and header. A
 * write that fails later (disk full) stops the run: nothing more is sent that could not be recorded.
 */
export async function openOutput(settings: Settings, sources: readonly SourceInfo[], resuming: boolean, stop: Stopper): Promise<Output> {
  const sinks: FileSink[] = [];
  const close = (): Promise<void> => Promise.all(sinks.map((s) => s.close())).then(() => undefined);
  try {
    if (settings.rejectsPath !== undefined) {
      const formats = new Set(sources.map((s) => s.format));
      const headers = new Set(sources.filter((s) => s.header).map((s) => JSON.stringify(s.header)));
      if (formats.size > 1 || headers.size > 1) {
        throw new BulkError('BULK_REJECTS_MIXED', 'one --rejects file needs inputs of one format with one header; run the files separately');
      }
    }
    const mode = settings.force ? 'overwrite' : 'create';
    const reportSink = await FileSink.open(settings.reportPath, resuming ? 'append' : mode, 'report');
    sinks.push(reportSink);
    let rejects: RejectsWriter | undefined;
    if (settings.rejectsPath !== undefined) {
      // On --resume the rejects file is written anew: every row not yet accepted is tried again.
      const rejectsSink = await FileSink.open(settings.rejectsPath, resuming ? 'overwrite' : mode, 'rejects');
      sinks.push(rejectsSink);
      rejects = new RejectsWriter(rejectsSink, sources[0].format, sources[0].header);
    }
    for (const sink of sinks) sink.onFailure(() => stop.abort(new BulkError('BULK_REPORT_WRITE', `cannot write ${sink.path} (${sink.failure})`)));
    const report = new ReportWriter(reportSink, { writeHeader: true });
    const recorded = async (): Promise<Recorded | undefined> => {
      if (reportSink.failure === undefined) return undefined;
      const counts = await recordedCounts(reportSink.path, reportSink.startedAt).catch(() => undefined);
      return counts && { counts, sentUnrecorded: Math.max(0, reportSink.tallied - counts.accepted - counts.rejected - counts.failed) };
    };
    return { report, rejects, close, failureNote: (s, r) => failureNote(reportSink, rejects?.sink, s, r), recorded };
  } catch (error) {
    await close();
    throw error;
  }
}
