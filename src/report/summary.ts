import { violationKey, violationsOf } from '../schema/index.js';
import type { Latency, LatencyQuantiles } from './latency.js';
import type { RowStatus } from './report-writer.js';

/** Requests by how they ended: the HTTP status class, or `network` when no answer came. */
export type ResponseClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network';

/**
 * What a row's error counts for among the top errors, by the rule, not the value, so they mean something.
 * An invalid row's error counts once for each violation, by its property and rule (violationKey): a row
 * breaking three rules adds one to each of three entries. A rejected or failed row's (the API's text, or
 * why no answer came) is one entry, `(got …)` dropped.
 */
export function errorKeys(status: RowStatus, error: string): string[] {
  if (status === 'invalid') return violationsOf(error).map(violationKey);
  return [error.replace(/ \(got .*?\)(?=;|$)/g, '').slice(0, 200)];
}

/** Running counts for one run; the pipeline updates it, the CLI reads it for progress. */
export class Stats {
  readonly startedAt = Date.now();
  rows = 0;
  accepted = 0;
  rejected = 0;
  failed = 0;
  invalid = 0;
  valid = 0;
  /** Rows --transform left out on purpose. */
  dropped = 0;
  /** Rows that repeat an earlier row of the run (content eventIds): not sent again. */
  duplicate = 0;
  /** Rows skipped because the ledger holds their eventIds (the service accepted them in an earlier run): reported `skipped`. */
  skipped = 0;
  /** Rows skipped because the report being resumed has them done (--resume): not written again. */
  resumed = 0;
  /** --at-quota wait: the run waits for the day's quota to reset, until this time (ms since the epoch). */
  quotaWaitUntil: number | undefined;
  /** …and has waited since this time (ms since the epoch). */
  quotaWaitFrom: number | undefined;
  /** Time spent waiting for the quota's resets that are over (ms): the progress line's rate leaves it out. */
  quotaWaitedMs = 0;

  /** Time spent waiting for the quota's reset up to `now`, the wait going on included (ms). */
  quotaWaited(now: number): number {
    return this.quotaWaitedMs + (this.quotaWaitFrom === undefined ? 0 : Math.max(0, now - this.quotaWaitFrom));
  }
  /** HTTP requests made, retries included. */
  requests = 0;
  /** Requests that carried rows an earlier request of this run had already carried. */
  retried = 0;
  readonly responses: Record<ResponseClass, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, network: 0 };
  /** Requests sent while every request was failing, one at a time, to find out when the endpoint is back. */
  probes = 0;
  /** Requests in flight now; and the most allowed now (--concurrency, lowered on 429, or adapting: auto). */
  inFlight = 0;
  concurrencyLimit: number | undefined;
  /** The limit of requests in flight adapts to the round-trip time (--concurrency auto). */
  adaptiveConcurrency = false;
  /** Requests a second allowed now (--rate, lowered on 429); undefined when unlimited or nothing is sent. */
  rateLimit: number | undefined;
  /** Request latencies; set by a run that sends. */
  latency: Latency | undefined;
  /** The latencies since the run's page last took them (a second's): set by a run that draws its page. */
  recentLatency: Latency | undefined;
  /** Also told every request's latency (ms), when set: the metrics' own summary. */
  onLatency: ((ms: number) => void) | undefined;
  /** Total input bytes on disk (compressed for .gz), when every input has a known size. */
  totalBytes: number | undefined;
  /** How far into the inputs (bytes, compressed for .gz) the rows taken from the preparing stage reach. */
  bytesRead = 0;
  /** Rows taken from the preparing stage so far (done or in flight), skipped ones included. */
  rowsTaken = 0;
  /** The preparing stage has handed over its last row: `rowsTaken` is every row of the run. */
  inputDone = false;
  /** Each entry of the top errors (errorKeys): its count and the first row it was seen on. */
  readonly #errors = new Map<string, { count: number; file: string; line: number }>();
  /** Rows by status, per input. */
  readonly #files = new Map<string, Record<RowStatus, number>>();

  /** One row done: its status, its error, and where it is (`file`:`line`). */
  count(status: RowStatus, error: string | null, file: string, line: number): void {
    this.rows++;
    this[status]++;
    let byStatus = this.#files.get(file);
    if (byStatus === undefined) this.#files.set(file, (byStatus = { accepted: 0, rejected: 0, failed: 0, invalid: 0, valid: 0, dropped: 0, duplicate: 0, skipped: 0 }));
    byStatus[status]++;
    if (error === null) return;
    for (const key of errorKeys(status, error)) {
      const seen = this.#errors.get(key);
      if (seen) seen.count++;
      else this.#errors.set(key, { count: 1, file, line });
    }
  }

  /** One request's answer (or none), and how long it took. */
  response(httpStatus: number | undefined, ms: number): void {
    this.responses[httpStatus === undefined ? 'network' : httpStatus >= 500 ? '5xx' : httpStatus >= 400 ? '4xx' : httpStatus >= 300 ? '3xx' : '2xx']++;
    this.latency?.observe(ms);
    this.recentLatency?.observe(ms);
    this.onLatency?.(ms);
  }

  /** The most frequent errors (errorKeys: an invalid row's by rule, one per violation), each with the first row it was seen on. */
  topErrors(limit = 5): { error: string; count: number; example: { file: string; line: number } }[] {
    return [...this.#errors.entries()]
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, limit)
      .map(([error, seen]) => ({ error, count: seen.count, example: { file: seen.file, line: seen.line } }));
  }

  /** Rows by status, per input, in the order the inputs were first seen. */
  byFile(): { file: string; byStatus: Record<RowStatus, number> }[] {
    return [...this.#files].map(([file, byStatus]) => ({ file, byStatus: { ...byStatus } }));
  }
}

/** The day's request quota as a run found and left it. */
export interface QuotaSummary {
  /** The endpoint host it is counted for, and the UTC day. */
  readonly host: string;
  readonly day: string;
  /** Requests allowed a UTC day (all processes together), and where that number came from; null when none applies and the ledger only counts them. */
  readonly limit: number | null;
  readonly from: 'option' | 'default' | 'none';
  /** Requests counted today before this run started (by earlier runs and other processes sharing the ledger: 0 without one). */
  readonly spentBefore: number;
  /** Requests counted today in all, at the end of the run (this run's and any other process's on the ledger). */
  readonly spent: number;
  /** The ledger the count is kept in; null when the count is this run's alone. */
  readonly ledger: string | null;
}

/** What a run did, as the CLI prints it and `--json` writes it. */
export interface Summary {
  readonly command: 'submit' | 'validate';
  readonly dryRun: boolean;
  readonly files: string[];
  readonly rows: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly invalid: number;
  readonly valid: number;
  /** Rows --transform left out on purpose (it returned null): not sent, not errors. */
  readonly dropped: number;
  /** Rows that repeat an earlier row of the run (content eventIds): sent once, as that row; not errors. */
  readonly duplicate: number;
  /**
   * Rows done whose report line never reached the file (a write failed: a full disk); counted in no
   * status above, which say what the report holds. 0 when every write went through.
   */
  readonly unrecorded: number;
  /** Rows not sent because an earlier run had them accepted: those the report being resumed has done (--resume), and those whose eventIds the ledger holds. */
  readonly skipped: number;
  /** Of `skipped`, those the ledger held (their report lines say skipped, with the day). */
  readonly skippedByLedger: number;
  /** The day's request quota (--daily-quota), for a run that sends or plans to; null when none applies. */
  readonly quota: QuotaSummary | null;
  /**
   * A run that sends: how rows without an eventId got one (--event-ids), and where that rule came from:
   * the option, the default, or (--resume) the report, whose rows were sent by it.
   */
  readonly eventIds: { readonly rule: 'content' | 'position' | 'service'; readonly from: 'option' | 'default' | 'report' } | null;
  readonly requests: number;
  /** Requests by HTTP status class (`network`: no answer came). */
  readonly responses: Readonly<Record<ResponseClass, number>>;
  /** Requests that carried rows an earlier request had carried (retries and outage probes). */
  readonly retries: number;
  /** Requests sent one at a time while every request was failing (an outage), to find when the endpoint is back. */
  readonly probes: number;
  /** Request latency quantiles (ms); null when nothing was sent. */
  readonly latency: LatencyQuantiles | null;
  /** Input bytes read (compressed bytes for .gz). */
  readonly bytesRead: number;
  /** Rows per request (1 = the single-record endpoint). */
  readonly batchSize: number;
  /** validate / --dry-run: requests the real run would need at its batch size (daily quota planning). */
  readonly plannedRequests: number | null;
  /**
   * validate / --dry-run with --shard K/N: the requests of the whole backfill, about N × this shard's (each
   * shard batches its own rows, and shards of one input are alike in size); null without a shard.
   */
  readonly plannedBackfill: { readonly shards: number; readonly requests: number } | null;
  /**
   * A run that sends: requests per second at most (0 = unlimited), and where that came from: `option`
   * (--rate), `default`, or `shards` (the default `total` shared by the `shards` of --shard K/N).
   */
  readonly rate: { readonly perSecond: number; readonly by: 'option' | 'default' | 'shards'; readonly total?: number; readonly shards?: number } | null;
  /**
   * A run that sends: the most requests in flight it allowed at the end (`final`), of at most `max`; with
   * `adaptive` (--concurrency auto) the limit followed the endpoint's round-trip time.
   */
  readonly concurrency: { readonly adaptive: boolean; readonly final: number; readonly max: number } | null;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
  readonly report: string | null;
  readonly rejects: string | null;
  /**
   * The most frequent errors, each with the first row (`file`:`line`) it was seen on. An invalid row counts
   * once for each rule it breaks (`property: rule`, without the value), so a count is of violations, not
   * rows; a rejected or failed row counts once, for its error.
   */
  readonly topErrors: { error: string; count: number; example: { file: string; line: number } }[];
  /** Why the run stopped early, when it did. */
  readonly aborted: { code: string; message: string } | null;
  /** The signal that interrupted the run, when one did. */
  readonly interrupted: string | null;
}
