import type { FileSink } from './sink.js';
import { csvLine } from './csv-text.js';

/**
 * Every status a report line can have: submit's four, validate's valid (validate writes invalid too),
 * --transform's dropped (left out on purpose: never sent, never an error), duplicate (the row repeats
 * an earlier row of the run, which carries its record: not sent again, never an error), and skipped (the
 * ledger holds its eventId: the service accepted it in an earlier run, on the line's `acceptedOn` day).
 * Rows --resume skips are not written again: the report being resumed has their lines.
 */
export const REPORT_STATUSES = ['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped', 'duplicate', 'skipped'] as const;
export type RowStatus = (typeof REPORT_STATUSES)[number];

/** One line of the report: what happened to one input row. */
export interface ReportLine {
  readonly file: string;
  readonly line: number;
  readonly row: number;
  readonly status: RowStatus;
  readonly eventId: string | null;
  /** For a row that was sent: its digest (position and record), which --resume checks the input against. */
  readonly digest: string | null;
  readonly httpStatus: number | null;
  readonly attempts: number;
  readonly error: string | null;
  /** A duplicate: the earlier row it repeats (null when that is unknown); absent on other lines. */
  readonly repeats?: { readonly file: string; readonly row: number } | null | undefined;
  /** Skipped (--ledger): the UTC day the service accepted the row's eventId, in an earlier run; absent on other lines. */
  readonly acceptedOn?: string | undefined;
}

export const REPORT_COLUMNS = ['file', 'line', 'row', 'status', 'eventId', 'digest', 'httpStatus', 'attempts', 'error', 'repeats', 'acceptedOn'] as const;
/** The CSV report's columns of bulk-submit 0.1 (before `repeats`) and 0.2–0.3 (before `acceptedOn`): such reports are still read. */
export const REPORT_COLUMNS_BEFORE = [REPORT_COLUMNS.slice(0, -2), REPORT_COLUMNS.slice(0, -1)] as const;

/** Writes report lines as NDJSON, or CSV when the report's name ends in `.csv`. */
export class ReportWriter {
  readonly #sink: FileSink;
  readonly #csv: boolean;
  /** Each input's name as JSON, made once: every line names its file. */
  readonly #files = new Map<string, string>();

  constructor(sink: FileSink, options: { writeHeader: boolean }) {
    this.#sink = sink;
    this.#csv = sink.path.toLowerCase().endsWith('.csv');
    if (this.#csv && options.writeHeader) void sink.write(csvLine(REPORT_COLUMNS));
  }

  get path(): string {
    return this.#sink.path;
  }

  /** Writes one line; the sink counts the lines of rows that were sent, for what a failed write loses. */
  write(line: ReportLine): Promise<void> | undefined {
    const sent = line.attempts > 0 ? 1 : 0;
    if (this.#csv) {
      return this.#sink.write(
        csvLine([line.file, line.line, line.row, line.status, line.eventId, line.digest, line.httpStatus, line.attempts, line.error, line.repeats ? `${line.repeats.file}:${line.repeats.row}` : null, line.acceptedOn ?? null]),
        sent,
      );
    }
    // Built by hand in column order: one JSON.stringify per string, no intermediate object.
    let file = this.#files.get(line.file);
    if (file === undefined) this.#files.set(line.file, (file = JSON.stringify(line.file)));
    return this.#sink.write(
      `{"file":${file},"line":${line.line},"row":${line.row},"status":"${line.status}",` +
        `"eventId":${line.eventId === null ? 'null' : JSON.stringify(line.eventId)},"digest":${line.digest === null ? 'null' : `"${line.digest}"`},` +
        `"httpStatus":${line.httpStatus ?? 'null'},` +
        `"attempts":${line.attempts},"error":${line.error === null ? 'null' : JSON.stringify(line.error)}` +
        `${line.repeats === undefined ? '' : `,"repeats":${line.repeats === null ? 'null' : `{"file":${JSON.stringify(line.repeats.file)},"row":${line.repeats.row}}`}`}` +
        `${line.acceptedOn === undefined ? '' : `,"acceptedOn":${JSON.stringify(line.acceptedOn)}`}}\n`,
      sent,
    );
  }

  flushSync(): void {
    this.#sink.flushSync();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}
