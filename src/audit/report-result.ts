import type { LibraryOptions } from '../options/index.js';
import type { RowStatus } from '../report/index.js';

/**
 * What report() is told: the reports to read and the report command's options (src/options/table.ts):
 * `inputs` whose every row should be accepted exactly once (named as they were given to submit), `list`
 * (problem rows listed at most; counts are always complete), and how the inputs are read, as submit
 * read them, so row numbers agree.
 */
export type ReportOptions = LibraryOptions<'report'> & {
  /** Report files (NDJSON, or CSV when the name ends in `.csv`), read in this order: a row's last line counts. */
  readonly reports: readonly string[];
};

/** Rows by their last status. */
export type StatusCounts = Record<RowStatus, number>;

/** One report as read. */
export interface ReportRead {
  readonly report: string;
  readonly lines: number;
  /** The physical line of a torn last line (the writing run was killed mid-line), left out; or null. */
  readonly tornLine: number | null;
  /** Its lines by status (each line, not each row's last). */
  readonly byStatus: StatusCounts;
}

/** An input file the reports name, with its rows by their last status. */
export interface FileTotals {
  readonly file: string;
  /** Distinct rows the reports name. */
  readonly rows: number;
  readonly lines: number;
  readonly byStatus: StatusCounts;
  /** Rows accepted more than once. */
  readonly duplicated: number;
}

/** Why a row of an input is not accepted exactly once. */
export type ProblemKind = 'missing' | 'duplicated' | 'notAccepted' | 'notInInput';

/** One row that is not accepted exactly once. */
export interface Problem {
  readonly file: string;
  /** Physical line in the input (for a row not in the input: the line its last report line gives). */
  line: number | null;
  readonly row: number;
  readonly problem: ProblemKind;
  /** The row's last status; null when no report has it. */
  readonly status: RowStatus | null;
  /** The last report line's error, if any. */
  error: string | null;
}

/** How many rows of the inputs are accepted exactly once, and how many are not, by why. */
export interface CoverageCounts {
  readonly rows: number;
  readonly acceptedOnce: number;
  /** Rows --transform left out on purpose (last status dropped): covered all the same, as nothing was to be sent. */
  readonly dropped: number;
  /** Rows that repeat an earlier row of their run (last status duplicate): covered, as that row carries their record. */
  readonly duplicates: number;
  /** Rows skipped because the ledger held their eventIds (last status skipped): covered, as the service accepted them in an earlier run. */
  readonly skipped: number;
  readonly missing: number;
  readonly duplicated: number;
  readonly notAccepted: number;
  /** Rows the reports name beyond the input's last row. */
  readonly notInInput: number;
}

/** One input's coverage. */
export interface InputCoverage extends CoverageCounts {
  readonly file: string;
  /** Whether any report names this input (exactly as given). */
  readonly named: boolean;
}

/** Whether the reports cover every row of the inputs exactly once with accepted (or dropped by --transform). */
export interface Coverage extends CoverageCounts {
  readonly complete: boolean;
  readonly inputs: readonly InputCoverage[];
  /** The first problem rows, in input order, at most `list` of them. */
  readonly problems: readonly Problem[];
  /** Problem rows past the listed ones. */
  readonly unlisted: number;
}

/** What the reports say, and (with inputs) whether they prove every row accepted exactly once. */
export interface ReportResult {
  readonly reports: readonly ReportRead[];
  readonly lines: number;
  /** Distinct rows (file and row) the reports name. */
  readonly rows: number;
  readonly byStatus: StatusCounts;
  readonly duplicated: number;
  readonly files: readonly FileTotals[];
  /**
   * The most frequent errors of the rows' last lines: an invalid row's counted once for each rule it breaks
   * (`property: rule`, without the value), so a count is of violations, not rows; a rejected or failed row's once.
   */
  readonly topErrors: readonly { error: string; count: number }[];
  readonly coverage: Coverage | null;
}
