import { grown, REPORT_STATUSES } from '../report/index.js';
import type { RowStatus } from '../report/index.js';
import type { StatusCounts } from './report-result.js';

/** A row's byte: its last status in the low 4 bits (0 = no report line; eight statuses), and two flags. */
const STATUS_BITS = 0b1111;
/** The row has an `accepted` line. */
const ACCEPTED = 0b10000;
/** The row has two or more `accepted` lines. */
const DUPLICATED = 0b100000;
const CODES = new Map<RowStatus, number>(REPORT_STATUSES.map((status, i) => [status, i + 1]));

/** A row's last status from its byte, or null when no report line names it. */
export function statusOf(state: number): RowStatus | null {
  return REPORT_STATUSES[(state & STATUS_BITS) - 1] ?? null;
}

/** Whether a row's byte says it was accepted more than once. */
export function isDuplicated(state: number): boolean {
  return (state & DUPLICATED) !== 0;
}

/** No rows of any status. */
export function noStatuses(): StatusCounts {
  return Object.fromEntries(REPORT_STATUSES.map((status) => [status, 0])) as StatusCounts;
}

/**
 * What the reports say of one input file's rows, in flat memory: one byte per row (last status, accepted
 * once, accepted again), and, once the file has an error line, two more for the last line's error kind.
 */
export class FileRows {
  readonly file: string;
  #states = new Uint8Array(1024);
  #errors: Uint16Array | undefined;
  /** Report lines naming the file. */
  lines = 0;
  /** The highest row a line names. */
  maxRow = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** Notes a report line: the row's status is now `status`, with error kind `errorKey` (0 for none). */
  note(row: number, status: RowStatus, errorKey: number): void {
    if (row >= this.#states.length) this.#states = grown(this.#states, row + 1);
    const before = this.#states[row];
    let flags = before & ~STATUS_BITS;
    if (status === 'accepted') flags |= before & ACCEPTED ? DUPLICATED : ACCEPTED;
    this.#states[row] = flags | CODES.get(status)!;
    if (errorKey !== 0 && !this.#errors) this.#errors = new Uint16Array(this.#states.length);
    if (this.#errors) {
      if (row >= this.#errors.length) this.#errors = grown(this.#errors, this.#states.length);
      this.#errors[row] = errorKey;
    }
    this.lines++;
    if (row > this.maxRow) this.maxRow = row;
  }

  /** A row's byte (0 when no line names it): read it with statusOf() and isDuplicated(). */
  state(row: number): number {
    return this.#states[row] ?? 0;
  }

  /** Counts the rows by last status into `byStatus`, and their last lines' error kinds into `errors`; returns [rows, duplicated]. */
  count(byStatus: StatusCounts, errors: Float64Array): [number, number] {
    let rows = 0;
    let duplicated = 0;
    for (let row = 1; row <= this.maxRow; row++) {
      const state = this.#states[row];
      if (state === 0) continue;
      rows++;
      byStatus[statusOf(state)!]++;
      if (state & DUPLICATED) duplicated++;
      const key = this.#errors?.[row] ?? 0;
      if (key !== 0) errors[key] = errors[key] + 1;
    }
    return [rows, duplicated];
  }
}
