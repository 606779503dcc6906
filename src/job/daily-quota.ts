import { BulkError } from '../errors.js';
import type { QuotaSummary, Stats } from '../report/index.js';
import type { RequestBudget } from '../send/index.js';
import { formatDuration } from '../util/duration.js';
import { DAY_MS, dayStart, utcDay } from '../util/utc-day.js';
import type { Stopper } from './stopper.js';

/** Where the day's requests are counted: the ledger (shared by the processes of one machine), or the run itself. */
export interface RequestCounter {
  /** Counts one request to `host` on `day` if fewer than `limit` are counted; false when the quota is spent. */
  takeRequest(host: string, day: string, limit: number): boolean;
  requestsOn(host: string, day: string): number;
}

/** A run's own count, when there is no ledger: the quota is still kept within the run. */
export class RunCounter implements RequestCounter {
  readonly #counts = new Map<string, number>();

  takeRequest(host: string, day: string, limit: number): boolean {
    const key = `${host} ${day}`;
    const count = this.#counts.get(key) ?? 0;
    if (count >= limit) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  requestsOn(host: string, day: string): number {
    return this.#counts.get(`${host} ${day}`) ?? 0;
  }
}

/** The next 00:00 UTC after `now` (ms since the epoch): when the API's daily quota resets. */
export function nextReset(now: number): number {
  return dayStart(utcDay(now)) + DAY_MS;
}

export interface DailyQuotaOptions {
  readonly host: string;
  readonly limit: number;
  /** With --shard K/N: the most requests this process takes a day, its Nth of `limit`. */
  readonly share?: { readonly limit: number; readonly shards: number } | undefined;
  readonly from: QuotaSummary['from'];
  readonly counter: RequestCounter;
  /** The ledger's file, for messages; undefined when the counter is the run's own. */
  readonly ledger: string | undefined;
  /** --at-quota: stop the run (exit 3), or wait for the reset and go on. */
  readonly atQuota: 'stop' | 'wait';
  readonly stop: Stopper;
  /** Told once each time the run starts to wait for a reset, with the line to say. */
  readonly onWait?: ((message: string) => void) | undefined;
  /** Its `quotaWaitUntil` says, while the run waits, until when (the progress line and the page show it). */
  readonly stats?: Stats | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * The day's request quota (--daily-quota), taken one request at a time before each goes out, retries
 * included: the API counts every call. Past it the service answers 429 until 00:00 UTC, so the run stops
 * first, cleanly (exit 3, --resume goes on), or waits for the reset (--at-quota wait). The count is kept
 * per UTC day, so a run that crosses midnight starts the new day's count by itself.
 */
export class DailyQuota implements RequestBudget {
  readonly #o: DailyQuotaOptions;
  readonly #now: () => number;
  readonly #startDay: string;
  readonly #spentBefore: number;
  /** Requests this run took, on the day they were taken. */
  #own = 0;
  #ownDay: string;
  #waiting: Promise<boolean> | undefined;

  constructor(options: DailyQuotaOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startDay = utcDay(this.#now());
    this.#ownDay = this.#startDay;
    this.#spentBefore = options.counter.requestsOn(options.host, this.#startDay);
  }

  take(signal: AbortSignal): boolean | Promise<boolean> {
    const day = utcDay(this.#now());
    if (day !== this.#ownDay) [this.#own, this.#ownDay] = [0, day];
    const share = this.#o.share;
    if ((share === undefined || this.#own < share.limit) && this.#o.counter.takeRequest(this.#o.host, day, this.#o.limit)) {
      this.#own++;
      return true;
    }
    return this.#spent(day, signal);
  }

  /** The quota of `day` is spent: stop the run, or wait for the reset and try again. */
  #spent(day: string, signal: AbortSignal): boolean | Promise<boolean> {
    const now = this.#now();
    const resetAt = nextReset(now);
    const line = this.#spentLine(day, now, resetAt);
    if (this.#o.atQuota === 'stop') {
      this.#o.stop.abort(new BulkError('BULK_QUOTA', `${line}: run again with --resume after it to go on from here (or use --at-quota wait)`));
      return false;
    }
    // Every request that finds the quota spent waits on the one timer; the first says so.
    this.#waiting ??= this.#waitUntil(resetAt, signal, `${line}: waiting until then (--at-quota wait), then going on`).finally(() => (this.#waiting = undefined));
    return this.#waiting.then((go) => (go ? this.take(signal) : false));
  }

  #waitUntil(at: number, signal: AbortSignal, message: string): Promise<boolean> {
    const stats = this.#o.stats;
    if (stats) [stats.quotaWaitUntil, stats.quotaWaitFrom] = [at, this.#now()];
    this.#o.onWait?.(message);
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const done = (go: boolean): void => {
        if (stats) {
          stats.quotaWaitedMs = stats.quotaWaited(this.#now());
          [stats.quotaWaitUntil, stats.quotaWaitFrom] = [undefined, undefined];
        }
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        resolve(go);
      };
      const aborted = (): void => done(false);
      // A second past the reset: the service's clock and ours need not agree to the millisecond.
      const timer = setTimeout(() => done(true), Math.max(0, at - this.#now()) + 1000);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** `the day's quota is spent: 100 of 100 requests to api.example.com on 2026-12-05 (UTC), 40 by this run, 60 by …; it resets at 00:00 UTC, in 3h01m`. */
  #spentLine(day: string, now: number, resetAt: number): string {
    const { host, limit, ledger, share } = this.#o;
    const resets = `it resets at 00:00 UTC, in ${formatDuration(resetAt - now)}`;
    if (share !== undefined && this.#own >= share.limit) {
      return `this shard's share of the day's quota is spent: ${this.#own.toLocaleString('en-US')} requests to ${host} on ${day} (UTC), 1/${share.shards} of ${limit.toLocaleString('en-US')} (--shard: every shard takes its share); ${resets}`;
    }
    const spent = this.#o.counter.requestsOn(host, day);
    const own = day === this.#ownDay ? this.#own : 0;
    const others = spent - own;
    const byWhom = ledger === undefined ? 'all by this run (without --ledger, earlier runs are not counted)' : `${own.toLocaleString('en-US')} by this run, ${others.toLocaleString('en-US')} by earlier runs or other processes sharing the ledger ${ledger}`;
    const given = this.#o.from === 'option' ? '--daily-quota' : "the API's default quota; --daily-quota sets another";
    return `the day's quota is spent: ${spent.toLocaleString('en-US')} of ${limit.toLocaleString('en-US')} requests (${given}) to ${host} on ${day} (UTC), ${byWhom}; ${resets}`;
  }

  /** The quota as the run found it and leaves it, for the summary. */
  summary(): QuotaSummary {
    const day = utcDay(this.#now());
    return {
      host: this.#o.host,
      day,
      limit: this.#o.from === 'none' ? null : this.#o.limit,
      from: this.#o.from,
      spentBefore: day === this.#startDay ? this.#spentBefore : 0,
      spent: this.#o.counter.requestsOn(this.#o.host, day),
      ledger: this.#o.ledger ?? null,
    };
  }
}
