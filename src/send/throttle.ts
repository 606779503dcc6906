/**
 * Pacing for every request the run makes: a request-rate limit (--rate), AIMD back-off on 429, and
 * outage handling. Written by hand because it has to act on what the answers say (429 halves the rate
 * and the concurrency, successes restore them step by step, a run of failures turns into a single
 * probe) — undici's RetryAgent retries one request at a time and cannot slow the whole run down.
 *
 * Shape: `acquire()` before each request, `release(kind)` after it. Waiting acquirers sleep on one
 * timer each (there are at most --concurrency of them), and nothing is scheduled when --rate is 0 and
 * the endpoint is healthy, so the fast path costs a comparison.
 */
import { AdaptiveLimit } from './adaptive-limit.js';

/**
 * How a request ended for pacing: fine, throttled (429), unavailable (503: a failure, and back-pressure),
 * failed (an answer that is a failure, or none in time), or unreachable (no connection at all: refused,
 * no such host, no route).
 */
export type Answer = 'ok' | 'throttled' | 'unavailable' | 'failed' | 'unreachable';

export interface ThrottleOptions {
  /** Requests per second; 0 = unlimited. */
  readonly rate: number;
  readonly concurrency: number;
  /** Abort once requests have failed without a single success for this long (ms). */
  readonly maxOutageMs: number;
  /** Consecutive failures, with no success between, that make an outage (default max(5, concurrency)). */
  readonly outageAfter?: number | undefined;
  /**
   * --concurrency auto: the limit of requests in flight adapts to the RTT (adaptive-limit.ts), up to
   * `concurrency`, from `initial`.
   */
  readonly adaptive?: { readonly initial: number } | undefined;
  readonly now?: (() => number) | undefined;
}

export class Throttle {
  readonly #maxRate: number;
  readonly #maxConcurrency: number;
  readonly #maxOutageMs: number;
  readonly #outageAfter: number;
  readonly #now: () => number;
  /** Current requests per second (0 = unlimited). */
  rate: number;
  /** Current most requests in flight. */
  concurrency: number;
  #inFlight = 0;
  #nextAt = 0;
  #lastDecrease = -Infinity;
  #successes = 0;
  #failStreak = 0;
  #failingSince: number | undefined;
  #probeDelay = 1000;
  /** Some request of the run got an answer (any status): the endpoint was there at least once. */
  #answered = false;
  /** Every request is failing: one probe at a time, with backoff. */
  inOutage = false;
  /** Set when an outage has lasted longer than maxOutageMs. */
  outageExceeded = false;
  #waiters: (() => void)[] = [];
  readonly #adaptive: AdaptiveLimit | undefined;

  constructor(options: ThrottleOptions) {
    this.#maxRate = options.rate;
    this.#maxConcurrency = options.concurrency;
    this.#maxOutageMs = options.maxOutageMs;
    this.#outageAfter = options.outageAfter ?? Math.max(5, options.concurrency);
    this.#now = options.now ?? Date.now;
    this.rate = options.rate;
    this.#adaptive = options.adaptive ? new AdaptiveLimit({ max: options.concurrency, initial: options.adaptive.initial }) : undefined;
    this.concurrency = this.#adaptive?.limit ?? options.concurrency;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** How long an outage has lasted so far (0 when there is none). */
  get outageMs(): number {
    return this.inOutage && this.#failingSince !== undefined ? this.#now() - this.#failingSince : 0;
  }

  /** Takes a slot and a token if both are free now: the fast path, with no promise. */
  tryAcquire(): boolean {
    const now = this.#now();
    if (this.#inFlight < (this.inOutage ? 1 : this.concurrency) && now >= this.#nextAt) {
      this.#inFlight++;
      this.#adaptive?.started(this.#inFlight);
      if (this.rate > 0) this.#nextAt = Math.max(now, this.#nextAt) + 1000 / this.rate;
      return true;
    }
    return false;
  }

  /** Waits for a slot and a token; resolves false when `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      if (this.tryAcquire()) return true;
      const limit = this.inOutage ? 1 : this.concurrency;
      const now = this.#now();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#waiters = this.#waiters.filter((w) => w !== done);
          resolve();
        };
        // Wake on the next token, on a released slot (see #wake), or on abort.
        const timer = setTimeout(done, this.#inFlight < limit ? Math.max(1, this.#nextAt - now) : 60_000);
        this.#waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Gives back a place taken for a request that did not go (the day's quota said no): nothing to learn from it. */
  giveBack(): void {
    this.#inFlight--;
    this.#wake();
  }

  /** Reports how the request went, and its round trip (ms); adjusts rate, concurrency and outage state. */
  release(answer: Answer, rttMs = 0): void {
    this.#inFlight--;
    const now = this.#now();
    if (this.#adaptive) {
      this.#adaptive.observe(rttMs, answer === 'throttled' || answer === 'unavailable' ? 'backpressure' : answer === 'failed' || answer === 'unreachable' ? 'failed' : 'ok', now);
      this.concurrency = this.#adaptive.limit;
    }
    // No connection while the endpoint has never answered at all (refused, no such host, from the first
    // request on) is an outage from the start, whatever the number of rows: probe, do not fail rows.
    const downFromStart = answer === 'unreachable' && !this.#answered;
    if (answer !== 'unreachable') this.#answered = true;
    if (answer === 'unavailable' || answer === 'unreachable') answer = 'failed';
    if (answer === 'ok') {
      this.#failStreak = 0;
      this.#failingSince = undefined;
      if (this.inOutage) {
        this.inOutage = false;
        this.#probeDelay = 1000;
        this.#nextAt = now;
      }
      // Additive increase: one more slot per `concurrency` successes (unless the limit adapts to the RTT);
      // the rate by a twentieth of the cap.
      if (++this.#successes >= this.concurrency) {
        this.#successes = 0;
        if (!this.#adaptive) this.concurrency = Math.min(this.#maxConcurrency, this.concurrency + 1);
        if (this.#maxRate > 0) this.rate = Math.min(this.#maxRate, this.rate + this.#maxRate / 20);
      }
    } else if (answer === 'throttled') {
      this.#failStreak = 0;
      // Multiplicative decrease, at most once a second: one burst of 429s is one signal, not many.
      if (now - this.#lastDecrease >= 1000) {
        this.#lastDecrease = now;
        if (!this.#adaptive) this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
        if (this.#maxRate > 0) this.rate = Math.max(1, this.rate / 2);
        this.#successes = 0;
      }
    } else {
      this.#failingSince ??= now;
      if ((++this.#failStreak >= this.#outageAfter || downFromStart) && !this.inOutage) this.inOutage = true;
      if (this.inOutage) {
        // Probe with backoff: 1 s, 2 s, 4 s … 30 s between tries while nothing gets through.
        this.#nextAt = now + this.#probeDelay;
        this.#probeDelay = Math.min(this.#probeDelay * 2, 30_000);
        if (now - this.#failingSince > this.#maxOutageMs) this.outageExceeded = true;
      }
    }
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    for (const waiter of this.#waiters.slice()) waiter();
  }
}
