import type { ReportReader } from '../report/index.js';
import { ErrorKeys } from './error-keys.js';
import { FileRows, noStatuses } from './rows.js';
import type { FileTotals, ReportRead, ReportResult } from './report-result.js';

/** The most frequent errors shown. */
const TOP_ERRORS = 5;

/** What the reports say, row by row, read in order so that a row's last line is its status. */
export class Tally {
  /** Per input file the reports name, in the order they first name it. */
  readonly files = new Map<string, FileRows>();
  readonly reports: ReportRead[] = [];
  readonly #keys = new ErrorKeys();

  /** Reads one report to its end, after those read before it. */
  async read(reader: ReportReader): Promise<void> {
    const byStatus = noStatuses();
    for await (const entry of reader.entries()) {
      let rows = this.files.get(entry.file);
      if (!rows) this.files.set(entry.file, (rows = new FileRows(entry.file)));
      rows.note(entry.row, entry.status, this.#keys.keyOf(entry.status, entry.error));
      byStatus[entry.status]++;
    }
    this.reports.push({ report: reader.path, lines: reader.lines, tornLine: reader.torn ?? null, byStatus });
  }

  /** The totals: rows by last status, per file and in all, and the most frequent errors of the last lines (by rule). */
  totals(): Omit<ReportResult, 'coverage'> {
    const errors = new Float64Array(this.#keys.size);
    const byStatus = noStatuses();
    let rows = 0;
    let duplicated = 0;
    const files: FileTotals[] = [];
    for (const fileRows of this.files.values()) {
      const file = { file: fileRows.file, rows: 0, lines: fileRows.lines, byStatus: noStatuses(), duplicated: 0 };
      [file.rows, file.duplicated] = fileRows.count(file.byStatus, errors);
      for (const [status, count] of Object.entries(file.byStatus)) byStatus[status as keyof typeof byStatus] += count;
      rows += file.rows;
      duplicated += file.duplicated;
      files.push(file);
    }
    const lines = this.reports.reduce((sum, report) => sum + report.lines, 0);
    return { reports: this.reports, lines, rows, byStatus, duplicated, files, topErrors: this.#topErrors(errors) };
  }

  /** The entries counted most (by rule for invalid rows: errorKeys), the first seen first among equals. */
  #topErrors(counts: Float64Array): { error: string; count: number }[] {
    return this.#keys
      .entries(counts)
      .sort((a, b) => b.count - a.count)
      .slice(0, TOP_ERRORS);
  }
}
