import { BulkError } from '../errors.js';
import { ERROR_SHARE_FROM_ROWS } from '../options/index.js';
import type { Parcel, ParcelView } from '../prepare/index.js';
import type { RejectsWriter, ReportLine, ReportWriter, RowStatus, Stats } from '../report/index.js';
import type { RowOutcome, RowSink } from '../send/index.js';
import type { AcceptedRow } from '../ledger/index.js';
import { utcDay } from '../util/utc-day.js';
import type { RunLedger } from './run-ledger.js';
import type { Settings } from './settings.js';
import type { Stopper } from './stopper.js';

/**
 * Records what happened to every row: its report line, its rejects line when it was not accepted, the
 * counts, and --max-errors. A parcel's or a request's rows are recorded in one go; the promise returned,
 * only when the disk is behind, is the backpressure that keeps memory flat with a slow disk.
 */
export class Recorder implements RowSink {
  readonly #report: ReportWriter;
  readonly #rejects: RejectsWriter | undefined;
  readonly #stats: Stats;
  readonly #files: readonly string[];
  readonly #maxErrors: Settings['maxErrors'];
  readonly #stop: Stopper;
  #waits: Promise<void>[] = [];
  /** Rows taken from the preparing stage so far, whether their outcome is known or still in flight: --max-errors' share is of these. */
  #prepared = 0;

  /** --ledger: where the ids the service accepted are recorded, an answer at a time. */
  readonly #ledger: RunLedger | undefined;

  constructor(report: ReportWriter, rejects: RejectsWriter | undefined, stats: Stats, files: readonly string[], maxErrors: Settings['maxErrors'], stop: Stopper, ledger?: RunLedger) {
    this.#ledger = ledger;
    this.#report = report;
    this.#rejects = rejects;
    this.#stats = stats;
    this.#files = files;
    this.#maxErrors = maxErrors;
    this.#stop = stop;
  }

  /** Records the rows a parcel finished itself (invalid, valid for validate, dropped by --transform, or duplicates) and the rows it skipped. */
  finished(parcel: Parcel, rows: ParcelView): Promise<void> | undefined {
    this.#prepared += rows.count;
    this.#stats.resumed += parcel.skipped;
    let sent = 0;
    for (const size of parcel.sizes) sent += size;
    for (let i = sent; i < rows.count; i++) {
      const acceptedOn = rows.acceptedOn(i);
      if (acceptedOn !== undefined) {
        this.#row(rows, i, 'skipped', rows.eventId(i), null, 0, null, undefined, acceptedOn);
        continue;
      }
      const repeats = rows.repeats(i);
      if (repeats !== undefined) {
        this.#row(rows, i, 'duplicate', rows.eventId(i), null, 0, null, repeats && { file: this.#files[repeats.file], row: repeats.row });
        continue;
      }
      const error = rows.error(i);
      this.#row(rows, i, error !== null ? 'invalid' : rows.dropped(i) ? 'dropped' : 'valid', rows.eventId(i), null, 0, error);
    }
    this.#judgeErrors();
    return this.#settle();
  }

  /** Records sent rows (`items`: indexes into the parcel's rows) with their outcomes, after `attempts` requests. */
  sent(rows: ParcelView, items: readonly number[], outcomes: readonly RowOutcome[], attempts: number): Promise<void> | undefined {
    const accepted: AcceptedRow[] | undefined = this.#ledger ? [] : undefined;
    const day = accepted && utcDay();
    for (let j = 0; j < items.length; j++) {
      const outcome = outcomes[j];
      const i = items[j];
      const eventId = outcome.eventId ?? rows.eventId(i);
      this.#row(rows, i, outcome.status, eventId, outcome.httpStatus ?? null, attempts, outcome.error ?? null);
      if (accepted && day && outcome.status === 'accepted' && eventId !== null) accepted.push({ eventId, day, source: `${this.#files[rows.file(i)]}:${rows.row(i)}` });
    }
    // One transaction an answer: the ids of a batch are in the ledger together, or (killed before) none are.
    if (accepted) this.#ledger?.accepted(accepted);
    this.#judgeErrors();
    return this.#settle();
  }

  #row(
    rows: ParcelView,
    i: number,
    status: RowStatus,
    eventId: string | null,
    httpStatus: number | null,
    attempts: number,
    error: string | null,
    repeats?: ReportLine['repeats'],
    acceptedOn?: string,
  ): void {
    const file = this.#files[rows.file(i)];
    const at = rows.line(i);
    this.#stats.count(status, error, file, at);
    const line = { file, line: at, row: rows.row(i), status, eventId, digest: rows.digest(i), httpStatus, attempts, error, repeats, acceptedOn };
    const wait = this.#report.write(line);
    if (wait) this.#waits.push(wait);
    // Only rows that went wrong are fed back: a dropped row was left out on purpose, a duplicate's record
    // goes with the row it repeats, and a skipped one the service already has.
    if (this.#rejects && (status === 'rejected' || status === 'failed' || status === 'invalid')) {
      const rejected = this.#rejects.write(rows.at(i), error ?? status, eventId);
      if (rejected) this.#waits.push(rejected);
    }
  }

  /**
   * --max-errors, judged once a parcel's rows or a request's are recorded: a count reached, or (from row
   * 100 on) a share exceeded of the rows read so far, sent or not. Not of the rows recorded: an invalid
   * row is recorded as soon as it is read, while the valid rows beside it wait in a batch in flight, so a
   * file 1 % bad would look 10 % bad. A row rejected is counted once its answer comes, a little after its
   * row was read: the share lags, never leads.
   */
  #judgeErrors(): void {
    if (this.#stop.signal.aborted) return;
    const errors = this.#stats.invalid + this.#stats.rejected;
    const rows = this.#prepared;
    const budget = this.#maxErrors;
    const over = 'count' in budget ? budget.count > 0 && errors >= budget.count : rows >= ERROR_SHARE_FROM_ROWS && errors > budget.share * rows;
    if (over) this.#stop.abort(new BulkError('BULK_MAX_ERRORS', this.budgetNote()));
  }

  /**
   * Why --max-errors stopped the run, in the run's own numbers: the summary's invalid and rejected (rows
   * answered after the stop included), of the rows read, and those read but never sent. Asked again at
   * the end, so the line, the summary and the report agree.
   */
  budgetNote(): string {
    const errors = this.#stats.invalid + this.#stats.rejected;
    const budget = this.#maxErrors;
    const unsent = this.#prepared - this.#stats.rows;
    const rest = unsent > 0 ? `; ${unsent} more ${unsent === 1 ? 'was' : 'were'} read but not sent (not in the report): fix the input, then run again with --resume` : '';
    if ('count' in budget) return `stopped after ${errors} invalid or rejected ${errors === 1 ? 'row' : 'rows'} (--max-errors ${budget.count})${rest}`;
    const percent = (share: number): string => `${Number((share * 100).toFixed(2))}%`;
    const rows = this.#prepared;
    return `stopped: ${errors} of the ${rows} rows read so far (${percent(errors / rows)}) are invalid or rejected, more than --max-errors ${percent(budget.share)}${rest}`;
  }

  /** One wait for whatever the disk is behind on, if it is. */
  #settle(): Promise<void> | undefined {
    if (this.#waits.length === 0) return undefined;
    const waits = this.#waits;
    this.#waits = [];
    return Promise.all(waits).then(() => undefined);
  }
}
