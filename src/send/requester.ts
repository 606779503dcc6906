import { BulkError } from '../errors.js';
import type { Stats } from '../report/index.js';
import { formatDuration } from '../util/duration.js';
import { foreignText, provenanceOf } from './answer.js';
import type { Provenance } from './answer.js';
import type { HttpClient, HttpResult } from './http-client.js';
import type { SendSettings } from './send-settings.js';
import type { StopControl } from './stop-control.js';
import type { Outcome } from './outcome.js';
import type { RetryPolicy } from './retry.js';
import type { RequestBudget } from './request-budget.js';
import type { Answer, Throttle } from './throttle.js';

/**
 * What an answer means for pacing: 429 throttles, 503 is a failure and back-pressure; no answer, 408,
 * 5xx, or an answer that is not the API's (a proxy's page) is a failure, so a run of them is an outage.
 */
function answerOf(result: HttpResult, from: Provenance): Answer {
  const status = result.httpStatus;
  if (status === 429) return 'throttled';
  if (status === 503) return 'unavailable';
  if (status === undefined) return result.unreachable ? 'unreachable' : 'failed';
  return status === 408 || status >= 500 || from === 'foreign' ? 'failed' : 'ok';
}

/**
 * Answers that are not the API's, with none that is before them, after which the run stops: the
 * endpoint is something else (a sign-in page, a proxy, another service). Three rather than one, so that
 * one garbled answer at the start of a nightly run does not end it; a few, so that a run against the
 * wrong thing ends within its first requests instead of failing every row.
 */
const FOREIGN_ANSWERS_TO_STOP = 3;

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
  /** Requests carry many records (a many-* path): what the API's answer looks like. */
  readonly #many: boolean;
  /** The API has answered at least once, in its own shape. */
  #heardApi = false;
  /** Answers not the API's before the first that is. */
  #foreign = 0;
  /** The day's request quota (--daily-quota), when one applies. */
  readonly #budget: RequestBudget | undefined;

  constructor(client: HttpClient, throttle: Throttle, settings: SendSettings, retry: RetryPolicy, stats: Stats, stop: StopControl, many: boolean, budget?: RequestBudget) {
    this.#many = many;
    this.#budget = budget;
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
    if (!(await this.#place(stop))) return undefined;
    // The day's quota once the request has its place, so that only requests about to go count: one that
    // finds it spent gives its place back, and waits for the reset (--at-quota wait) holding none.
    const taken = this.#budget?.take(stop) ?? true;
    if (taken !== true) {
      this.#throttle.giveBack();
      if (!(await taken) || !(await this.#place(stop))) return undefined;
    }
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
    const from = provenanceOf(result, this.#many, this.#settings.acceptAnswer);
    this.#throttle.release(answerOf(result, from), ms);
    this.#gauge();
    this.#judge(result, from);
    return result;
  }

  /** A place in flight, paced by the throttle: false when the run stopped first. */
  async #place(stop: AbortSignal): Promise<boolean> {
    return !stop.aborted && (this.#throttle.tryAcquire() || (await this.#throttle.acquire(stop)));
  }

  /** The pacing as it stands, for the progress line and the run's page. */
  #gauge(): void {
    const throttle = this.#throttle;
    this.#stats.inFlight = throttle.inFlight;
    this.#stats.concurrencyLimit = throttle.inOutage ? 1 : throttle.concurrency;
    this.#stats.rateLimit = throttle.rate > 0 ? throttle.rate : undefined;
  }

  /** The URL requests go to, as a message names it: no user or password, no query. */
  get #url(): string {
    const { origin, pathname } = this.#settings.endpoint;
    return `${origin}${pathname.replace(/\/+$/, '')}${this.#settings.apiPath}`;
  }

  /** An answer that halts the run (outcome.ts): 401/403 refuse the credentials; 404 or a redirect say the URL is wrong. */
  halted(outcome: Outcome): void {
    const said = outcome.error ?? `HTTP ${outcome.httpStatus}`;
    const status = outcome.httpStatus ?? 0;
    if (status === 401 || status === 403) {
      this.#stop.abort(new BulkError('BULK_AUTH_REFUSED', `the endpoint refused the credentials (${said}); check ASAPP_API_ID / ASAPP_API_SECRET`));
    } else if (status >= 300 && status < 400) {
      this.#stop.abort(
        new BulkError('BULK_ENDPOINT_WRONG', `POST ${this.#url} answered ${said}: bulk-submit follows no redirect, so credentials never go elsewhere; give --endpoint the URL the API answers at`),
      );
    } else {
      this.#stop.abort(new BulkError('BULK_ENDPOINT_WRONG', `POST ${this.#url} answered ${said}: the URL is wrong, not the rows; check --endpoint (a base URL such as https://api.sandbox.asapp.com) and --path`));
    }
  }

  /** What an answer means beyond its rows: stop the run now rather than fail every row after it. */
  #judge(result: HttpResult, from: Provenance): void {
    const status = result.httpStatus;
    if (from === 'api') this.#heardApi = true;
    else if (from === 'foreign' && !this.#heardApi && status !== undefined && status < 500 && status !== 408 && status !== 429 && ++this.#foreign === FOREIGN_ANSWERS_TO_STOP) {
      const api = this.#settings.acceptAnswer === 'api' ? 'like the Metadata Ingestion API' : 'JSON';
      this.#stop.abort(
        new BulkError('BULK_NOT_API', `the endpoint does not answer ${api}: check --endpoint and any proxy (POST ${this.#url}: ${foreignText(result, this.#settings.acceptAnswer)})`),
      );
    }
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
