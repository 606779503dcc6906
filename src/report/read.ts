import { createReadStream, promises as fs } from 'node:fs';
import { BulkError } from '../errors.js';
import { REPORT_COLUMNS, REPORT_COLUMNS_BEFORE, REPORT_STATUSES } from './report-writer.js';
import type { RowStatus } from './report-writer.js';

/** What a report line says of its row, as read back, with where it stands in the report. */
export interface ReportEntry {
  readonly file: string;
  readonly line: number;
  readonly row: number;
  readonly status: RowStatus;
  /** The row's eventId as the report has it (null when it has none). */
  readonly eventId: string | null;
  readonly error: string | null;
  /** The report's own physical line (1-based). */
  readonly at: number;
}

/** The fields of a line that make it a report line, before they are checked. */
interface Fields {
  file?: unknown;
  line?: unknown;
  row?: unknown;
  status?: unknown;
  eventId?: unknown;
  error?: unknown;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** Why `fields` is not a report line, or undefined when it is one. */
function whyNot(fields: Fields): string | undefined {
  if (typeof fields.file !== 'string' || fields.file === '') return 'it names no "file"';
  if (!isCount(fields.row)) return `its "row" is ${JSON.stringify(fields.row) ?? 'missing'}, not a row number`;
  if (!isCount(fields.line)) return `its "line" is ${JSON.stringify(fields.line) ?? 'missing'}, not a line number`;
  if (!REPORT_STATUSES.includes(fields.status as RowStatus)) {
    return `its "status" is ${JSON.stringify(fields.status) ?? 'missing'}, not one of ${REPORT_STATUSES.join(', ')}`;
  }
  if (fields.error !== undefined && fields.error !== null && typeof fields.error !== 'string') return 'its "error" is not text';
  return undefined;
}

/** A report line from fields that whyNot() passed. */
function entryOf(fields: Fields, at: number): ReportEntry {
  const error = fields.error as string | null | undefined;
  const eventId = typeof fields.eventId === 'string' && fields.eventId !== '' ? fields.eventId : null;
  return { file: fields.file as string, line: fields.line as number, row: fields.row as number, status: fields.status as RowStatus, eventId, error: error ?? null, at };
}

/** An NDJSON line's fields, or why they cannot be had. */
function ndjsonFields(text: string): Fields | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the line is not JSON';
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : 'the line is not a JSON object';
}

/** A CSV report record's fields, by the report's column order (empty cells are null). */
function csvFields(record: string[]): Fields {
  const number = (text: string | undefined): number | string | undefined => (text === undefined || !/^\d+$/.test(text) ? text : Number(text));
  return { file: record[0], line: number(record[1]), row: number(record[2]), status: record[3], eventId: record[4], error: record[8] === '' ? null : record[8] };
}

/** A bulk-submit report read back in order, line by line, in flat memory: NDJSON, or CSV when its name ends in `.csv`. */
export class ReportReader {
  readonly path: string;
  readonly #csv: boolean;
  /** Report lines read so far (blank lines and a CSV header not counted). */
  lines = 0;
  /** The physical line of a torn last line (the run writing it was killed mid-line): left out. */
  torn: number | undefined;

  private constructor(path: string) {
    this.path = path;
    this.#csv = path.toLowerCase().endsWith('.csv');
  }

  /** Opens a report, checking it is a readable file: anything else is a BULK_REPORT_UNREADABLE error. */
  static async open(path: string): Promise<ReportReader> {
    try {
      if ((await fs.stat(path)).isDirectory()) throw new BulkError('BULK_REPORT_UNREADABLE', 'cannot read the report: it is a directory', { file: path });
      await (await fs.open(path, 'r')).close();
    } catch (error) {
      if (error instanceof BulkError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new BulkError('BULK_REPORT_UNREADABLE', code === 'ENOENT' ? 'no such report' : `cannot read the report (${code ?? String(error)})`, { file: path });
    }
    return new ReportReader(path);
  }

  /** The report's lines in order; a line that is not a report line stops it with an error naming the line. */
  async *entries(): AsyncGenerator<ReportEntry> {
    this.lines = 0;
    this.torn = undefined;
    // A line that is not a report line is an error, unless it is the last one after good lines: a torn end.
    let held: { at: number; why: string } | undefined;
    for await (const [fields, at] of this.#csv ? this.#csvRecords() : this.#ndjsonLines()) {
      if (held) throw this.#notReport(held.at, held.why);
      const why = typeof fields === 'string' ? fields : whyNot(fields);
      if (why !== undefined) {
        held = { at, why };
        continue;
      }
      this.lines++;
      yield entryOf(fields as Fields, at);
    }
    if (held && this.lines === 0) throw this.#notReport(held.at, held.why);
    this.torn = held?.at;
  }

  #notReport(at: number, why: string): BulkError {
    const expected = this.#csv ? '' : ' (a report line is a JSON object with "file", "line", "row", "status", …)';
    return new BulkError('BULK_REPORT_MISMATCH', `not a bulk-submit report: ${why}${expected}`, { file: this.path, line: at });
  }

  async *#ndjsonLines(): AsyncGenerator<[Fields | string, number]> {
    // Loaded here: only reading a report needs node:readline, and it costs every other start.
    const { createInterface } = await import('node:readline');
    const input = createReadStream(this.path, 'utf8');
    let at = 0;
    try {
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        at++;
        if (text.trim() !== '') yield [ndjsonFields(text), at];
      }
    } finally {
      input.destroy();
    }
  }

  async *#csvRecords(): AsyncGenerator<[Fields | string, number]> {
    const { parse } = await import('csv-parse');
    const parser = createReadStream(this.path).pipe(parse({ bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }));
    let header = true;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (header && ![REPORT_COLUMNS, ...REPORT_COLUMNS_BEFORE].some((columns) => record.join(',') === columns.join(','))) {
          throw this.#notReport(info.lines, `its first line is not the header ${REPORT_COLUMNS.join(',')}`);
        }
        if (!header) yield [csvFields(record), info.lines];
        header = false;
      }
    } catch (error) {
      if (error instanceof BulkError) throw error;
      throw new BulkError('BULK_REPORT_MISMATCH', `not a bulk-submit report: ${(error as Error).message}`, { file: this.path, line: (error as { lines?: number }).lines });
    } finally {
      parser.destroy();
    }
  }
}
