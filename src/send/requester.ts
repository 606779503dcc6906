import { BulkError } from '../errors.js';
import type { Stats } from '../report/index.js';
import { formatDuration } from '../util/duration.js';
import type { HttpClient, HttpResult } from './http-client.js';
import type { SendSettings } from './send-settings.js';
import type { StopControl } from './stop-control.js';
import type { Outcome } from './outcome.js';
import type { RetryPolicy } from './retry.js';
import type { Answer, Throttle } from './throttle.js';

/** What an answer means for pacing: 429 throttles, 503 is a failure and back-pressure, no answer, 408 or 5xx a failure. */
function answerOf(status: number | undefined): Answer {
  if (status === 429) return 'throttled';
  if (status === 503) return 'unavailable';
  return status === undefined || status === 408 || status >= 500 ? 'failed' : 'ok';
}

/**
 * Every request of a run goes through here: paced by the throttle (--rate, AIMD on 429, one probe at a
 * time in an outage), counted, and read for what it means for the whole run: a certificate nobody
 * trusts, a daily quota used up, an outage longer than --max-outage, credentials refused.
 */
export class Requester {
  readonly #client: HttpClient;
  readonly #throttle: Throttle;
  readonly #settings: SendSettings;
  readonly #retry: RetryPolicy;
  readonly #stats: Stats;
  readonly #stop: StopControl;

  constructor(client: HttpClient, throttle: Throttle, settings: SendSettings, retry: RetryPolicy, stats: Stats, stop: StopControl) {
    this.#client = client;
    this.#throttle = throttle;
    this.#settings = settings;
    this.#retry = retry;
    this.#stats = stats;
    this.#stop = stop;
  }

  /** Every request is failing: tries now are probes, and use up no row's retries. */
  get inOutage(): boolean {
    return this.#throttle.inOutage;
  }

  /**
   * POSTs a body (`again`: its rows went out before, in this run); resolves undefined when the run
   * stopped before it could go out (the rows were never sent).
   */
  async post(body: Uint8Array, again: boolean): Promise<HttpResult | undefined> {
    const stop = this.#stop.signal;
    if (stop.aborted || (!this.#throttle.tryAcquire() && !(await this.#throttle.acquire(stop)))) return undefined;
    const stats = this.#stats;
    stats.requests++;
    if (again) stats.retried++;
    if (this.#throttle.inOutage) stats.probes++;
    stats.inFlight = this.#throttle.inFlight;
    const started = performance.now();
    const result = await this.#client.post(this.#settings.apiPath, body);
    const status = result.httpStatus;
    const ms = performance.now() - started;
    stats.response(status, ms);
    this.#throttle.release(answerOf(status), ms);
    this.#gauge();
    this.#judge(result);
    return result;
  }

  /** The pacing as it stands, for the progress line and the run's page. */
  #gauge(): void {
    const throttle = this.#throttle;
    this.#stats.inFlight = throttle.inFlight;
    this.#stats.concurrencyLimit = throttle.inOutage ? 1 : throttle.concurrency;
    this.#stats.rateLimit = throttle.rate > 0 ? throttle.rate : undefined;
  }

  /** 401 or 403: no other row will fare better. */
  refused(outcome: Outcome): void {
    this.#stop.abort(new BulkError('BULK_AUTH_REFUSED', `the endpoint refused the credentials (${outcome.error ?? `HTTP ${outcome.httpStatus}`}); check ASAPP_API_ID / ASAPP_API_SECRET`));
  }

  /** What an answer means beyond its rows: stop the run now rather than fail every row after it. */
  #judge(result: HttpResult): void {
    const status = result.httpStatus;
    if (result.tlsError) this.#stop.abort(new BulkError('BULK_TLS', result.networkError ?? 'TLS error'));
    if (status === 429 && result.retryAfterMs !== undefined && result.retryAfterMs > this.#retry.maxDelayMs) {
      // A daily quota: nothing will get through for hours.
      const until = new Date(Date.now() + result.retryAfterMs).toISOString().slice(0, 16).replace('T', ' ');
      this.#stop.abort(new BulkError('BULK_QUOTA', `the endpoint's quota is used up until ${until} UTC (429, Retry-After ${formatDuration(result.retryAfterMs)}); run again with --resume after that`));
    }
    if (this.#throttle.outageExceeded) {
      const last = result.networkError ?? `HTTP ${status}`;
      this.#stop.abort(
        new BulkError('BULK_OUTAGE', `every request has failed for ${formatDuration(this.#throttle.outageMs)} (--max-outage ${formatDuration(this.#settings.maxOutageMs)}; last: ${last}); rows not yet sent are not in the report: run again with --resume`),
      );
    }
  }
}
