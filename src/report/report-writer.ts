import type { FileSink } from './sink.js';
import { csvLine } from './csv-text.js';

/** Every status a report line can have: submit's four, validate's valid (validate writes invalid too), and --transform's dropped (left out on purpose: never sent, never an error). */
export const REPORT_STATUSES = ['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped'] as const;
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
}

export const REPORT_COLUMNS = ['file', 'line', 'row', 'status', 'eventId', 'digest', 'httpStatus', 'attempts', 'error'] as const;

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
        csvLine([line.file, line.line, line.row, line.status, line.eventId, line.digest, line.httpStatus, line.attempts, line.error]),
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
        `"attempts":${line.attempts},"error":${line.error === null ? 'null' : JSON.stringify(line.error)}}\n`,
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
