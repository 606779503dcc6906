import { AbortError } from '../errors.js';
import type { Parcel } from '../prepare/index.js';
import { rowAt } from '../prepare/index.js';
import type { RejectsWriter, ReportWriter, RowStatus, Stats } from '../report/index.js';
import type { Stopper } from './stopper.js';

/** What a request came to for one row it carried. */
export interface RowOutcome {
  readonly eventId?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
  readonly attempts: number;
}

/**
 * Records what happened to every row: its report line, its rejects line when it was not accepted, the
 * counts, and --max-errors. Returns a promise only when the disk is behind: awaiting it is the
 * backpressure that keeps memory flat with a slow disk.
 */
export class Recorder {
  readonly #report: ReportWriter;
  readonly #rejects: RejectsWriter | undefined;
  readonly #stats: Stats;
  readonly #files: readonly string[];
  readonly #maxErrors: number;
  readonly #stop: Stopper;

  constructor(report: ReportWriter, rejects: RejectsWriter | undefined, stats: Stats, files: readonly string[], maxErrors: number, stop: Stopper) {
    this.#report = report;
    this.#rejects = rejects;
    this.#stats = stats;
    this.#files = files;
    this.#maxErrors = maxErrors;
    this.#stop = stop;
  }

  /** Records the rows a parcel finished itself (invalid, or valid for validate) and the rows it skipped. */
  finished(parcel: Parcel): Promise<void> | undefined {
    this.#stats.skipped += parcel.skipped;
    const waits: Promise<void>[] = [];
    for (let i = sentCount(parcel); i < parcel.rows.row.length; i++) {
      const error = parcel.rows.error[i];
      const wait = this.row(parcel, i, error === null ? 'valid' : 'invalid', { attempts: 0, error: error ?? undefined, eventId: parcel.rows.eventId[i] ?? undefined });
      if (wait) waits.push(wait);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Records one row of a parcel: report line, rejects line, counts, and the --max-errors check. */
  row(parcel: Parcel, i: number, status: RowStatus, outcome: RowOutcome): Promise<void> | undefined {
    const rows = parcel.rows;
    const error = outcome.error ?? null;
    const eventId = outcome.eventId ?? null;
    this.#stats.count(status, error);
    const report = this.#report.write({
      file: this.#files[rows.file[i]],
      line: rows.line[i],
      row: rows.row[i],
      status,
      eventId,
      digest: rows.digest[i],
      httpStatus: outcome.httpStatus ?? null,
      attempts: outcome.attempts,
      error,
    });
    const rejected = this.#rejects && status !== 'accepted' && status !== 'valid' ? this.#rejects.write(rowAt(rows, i), error ?? status, eventId) : undefined;
    const errors = this.#stats.invalid + this.#stats.rejected;
    if (this.#maxErrors > 0 && errors >= this.#maxErrors) {
      this.#stop.abort(new AbortError('BULK_MAX_ERRORS', `stopped after ${errors} invalid or rejected rows (--max-errors ${this.#maxErrors})`));
    }
    if (report && rejected) return Promise.all([report, rejected]).then(() => undefined);
    return report ?? rejected;
  }
}

/** How many of a parcel's rows are in its bodies (the sent ones come first). */
function sentCount(parcel: Parcel): number {
  let count = 0;
  for (const size of parcel.sizes) count += size;
  return count;
}
