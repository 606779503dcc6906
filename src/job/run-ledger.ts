import { BulkError, describeError } from '../errors.js';
import { defaultDailyQuota, Ledger } from '../ledger/index.js';
import type { AcceptedRow } from '../ledger/index.js';
import { textDefault } from '../options/index.js';
import type { QuotaSummary } from '../report/index.js';
import { isLoopback } from '../util/loopback.js';
import { utcDay } from '../util/utc-day.js';
import { DailyQuota, RunCounter } from './daily-quota.js';
import type { DailyQuotaOptions } from './daily-quota.js';
import type { Settings } from './settings.js';
import type { Stopper } from './stopper.js';

/**
 * A run's use of the ledger (--ledger), on the main thread: opened (made when missing) and checked
 * before anything is read or sent; the ids the service accepted recorded as each answer is, one
 * transaction an answer, into the ledger's journal, and merged into the ids held at the run's end (the
 * ledger merges every JOURNAL_MERGE_IDS ids itself); the day's requests counted in it (DailyQuota). The
 * look-ups of rows to skip are not here: the preparing stage makes them with its own read-only
 * connection (prepare/map-stage.ts).
 */
export class RunLedger {
  readonly #ledger: Ledger;
  readonly #stop: Stopper;

  private constructor(ledger: Ledger, stop: Stopper) {
    this.#ledger = ledger;
    this.#stop = stop;
  }

  get file(): string {
    return this.#ledger.file;
  }

  /**
   * Opens the run's ledger: for a run that sends, for writing (made when missing); for validate and
   * --dry-run, read-only, and none when the file does not exist yet (nothing was spent). A file that is
   * no ledger is refused (BULK_LEDGER_INVALID), untouched.
   */
  static async open(settings: Settings, stop: Stopper): Promise<RunLedger | undefined> {
    if (settings.ledger === undefined) return undefined;
    const readonly = settings.send === undefined;
    try {
      return new RunLedger(await Ledger.open(settings.ledger, { readonly }), stop);
    } catch (error) {
      if (readonly && error instanceof BulkError && /no such file/.test(error.message)) return undefined;
      throw error;
    }
  }

  /**
   * Records the ids the service accepted in one answer, with the day and the `file:row` that sent each; a
   * failed write stops the run. Answers that come after a stop (the quota, a signal's drain) are recorded too.
   */
  accepted(rows: readonly AcceptedRow[]): void {
    if (rows.length === 0) return;
    this.#write(() => this.#ledger.recordAccepted(rows));
  }

  /**
   * Merges the ids recorded so far into those the ledger holds, for the next run's look-ups (a run that
   * only reads the ledger has none). Until then they are safe in the journal: a run killed before this
   * leaves them for the next open to merge.
   */
  merge(): void {
    if (this.#ledger.journaled > 0) this.#write(() => this.#ledger.merge());
  }

  /** The day's quota, counted in the ledger across runs and processes. */
  quota(options: Omit<DailyQuotaOptions, 'counter' | 'ledger'>): DailyQuota {
    return new DailyQuota({ ...options, counter: this, ledger: this.file });
  }

  takeRequest(host: string, day: string, limit: number): boolean {
    return this.#write(() => this.#ledger.takeRequest(host, day, limit)) ?? false;
  }

  requestsOn(host: string, day: string): number {
    return this.#ledger.requestsOn(host, day);
  }

  /** The host with the most requests today (validate, which has no endpoint, counts the quota for it). */
  busiestHostToday(): string | undefined {
    const today = utcDay();
    const counts = this.#ledger.requestsByDay(1, today).filter((count) => count.day === today);
    return counts.sort((a, b) => b.count - a.count)[0]?.host;
  }

  close(): void {
    this.#ledger.close();
  }

  /** A write to the ledger; one that fails (a full disk, another process holding the lock past the busy timeout) stops the run. */
  #write<T>(write: () => T): T | undefined {
    try {
      return write();
    } catch (error) {
      this.#stop.abort(
        new BulkError('BULK_LEDGER_WRITE', `cannot write the ledger ${this.file} (${describeError(error)}); the report holds every row done: fix that, then run again with --resume`, { cause: error }),
      );
      return undefined;
    }
  }
}

/**
 * The day's quota of a run that sends: counted in the ledger, or within the run without one. Where no
 * quota applies (settings.quota), the ledger still counts the day's requests, without a limit; without a
 * ledger there is then nothing to count.
 */
export function sendingQuota(settings: Settings, ledger: RunLedger | undefined, watch: Pick<DailyQuotaOptions, 'stop' | 'stats' | 'onWait'>): DailyQuota | undefined {
  const quota = settings.quota ?? (ledger ? { limit: Number.MAX_SAFE_INTEGER, share: undefined, from: 'none' as const, atQuota: textDefault('at-quota') as 'stop' } : undefined);
  if (quota === undefined || settings.send === undefined) return undefined;
  const options = { host: settings.send.endpoint.hostname, limit: quota.limit, share: quota.share, from: quota.from, atQuota: quota.atQuota, ...watch };
  return ledger ? ledger.quota(options) : new DailyQuota({ ...options, counter: new RunCounter(), ledger: undefined });
}

/** The quota as validate and --dry-run see it: what earlier runs spent today, by the ledger (0 without one). */
export function plannedQuota(settings: Settings, ledger: RunLedger | undefined): QuotaSummary | null {
  const quota = settings.quota;
  if (quota === undefined) return null;
  const host = quota.host ?? ledger?.busiestHostToday();
  let limit = quota.limit;
  // validate names no endpoint: the host the ledger sent most to today stands for it, with its own default.
  if (quota.host === undefined && host !== undefined && quota.from === 'default') {
    if (isLoopback(host)) return null;
    limit = defaultDailyQuota(host);
  }
  const day = utcDay();
  const spent = host === undefined || ledger === undefined ? 0 : ledger.requestsOn(host, day);
  return { host: host ?? '', day, limit, from: quota.from, spentBefore: spent, spent, ledger: ledger?.file ?? null };
}
