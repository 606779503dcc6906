/** How a request's answer counts for the limit: fine, a sign of back-pressure (429, 503), or a failure. */
export type Signal = 'ok' | 'backpressure' | 'failed';

export interface AdaptiveLimitOptions {
  /** The most requests in flight the limit may grow to (--concurrency auto:N). */
  readonly max: number;
  /** Where the limit starts. */
  readonly initial?: number | undefined;
}

/** The moving averages' weight of the newest window (Vector's ewma_alpha). */
const ALPHA = 0.4;
/** How many deviations above the moving average of the RTT a window's mean may be before the limit shrinks (Vector's rtt_deviation_scale). */
const DEVIATION_SCALE = 2.5;
/** What the limit is multiplied by when it shrinks (Vector's decrease_ratio). */
const DECREASE_RATIO = 0.9;

/** A window's RTT may exceed the baseline by this share before it stops holding, however steady the RTTs. */
const HOLD_SLACK = 0.05;
/** … and by this share before the limit shrinks, however steady the RTTs. */
const RISE_SLACK = 0.15;
/** How fast the baseline follows windows slower than it (an endpoint that became slower, not a queue): 0.2 % of the gap a window, so a few thousand windows (tens of seconds) to follow it. */
const BASELINE_CREEP = 0.002;

/**
 * The number of requests in flight that an endpoint takes without queueing them, found as it goes:
 * additive increase, multiplicative decrease, driven by round-trip time, in the manner of Vector's adaptive
 * request concurrency. RTTs are averaged over windows of about one RTT, and a moving average of past
 * windows gives their deviation (the endpoint's own jitter). A window that, with the limit in use, held
 * its RTT within that deviation of the baseline grows the limit by one; one whose RTT rose past
 * DEVIATION_SCALE deviations (requests are queueing: the endpoint is past its knee), or that saw a 429
 * or 503, shrinks it by a tenth.
 *
 * The baseline is the fastest window seen, creeping up slowly after slower ones, not the moving average
 * itself (Vector's past RTT): against the moving average, each step up is judged only against the step
 * before it, which the average has already followed, and past the knee the limit ratchets up one window
 * at a time (measured: to 39 against a knee at 8). Anchored to the fastest window, queueing shows as the
 * rise it is (TCP Vegas's insight), and the limit settles at the knee. Written by hand: undici paces
 * nothing, and the libraries that do (p-limit, Bottleneck) take a fixed limit.
 */
export class AdaptiveLimit {
  readonly #max: number;
  /** Requests in flight allowed now. */
  limit: number;
  #pastRtt: number | undefined;
  #pastDeviation = 0;
  #baseline: number | undefined;
  #windowStart: number | undefined;
  #windowSum = 0;
  #windowCount = 0;
  #reached = false;
  #backpressure = false;

  constructor(options: AdaptiveLimitOptions) {
    this.#max = options.max;
    this.limit = Math.max(1, Math.min(options.max, options.initial ?? 1));
  }

  /** A request is going out with `inFlight` in flight (itself included): did it use the whole limit? */
  started(inFlight: number): void {
    if (inFlight >= this.limit) this.#reached = true;
  }

  /** A request's answer came after `rttMs`; at the end of a window, the limit moves. */
  observe(rttMs: number, signal: Signal, now: number): void {
    this.#windowStart ??= now;
    this.#windowSum += rttMs;
    this.#windowCount++;
    if (signal === 'backpressure') this.#backpressure = true;
    // A window lasts about one RTT, and holds at least a couple of answers.
    if (this.#windowCount < 2 || now - this.#windowStart < (this.#pastRtt ?? rttMs)) return;
    this.#adjust(this.#windowSum / this.#windowCount);
    this.#windowStart = now;
    this.#windowSum = 0;
    this.#windowCount = 0;
    this.#reached = false;
    this.#backpressure = false;
  }

  #adjust(current: number): void {
    const past = this.#pastRtt ?? current;
    const baseline = this.#baseline ?? current;
    const holds = current <= baseline + Math.max(this.#pastDeviation, HOLD_SLACK * baseline);
    const rose = current > baseline + Math.max(DEVIATION_SCALE * this.#pastDeviation, RISE_SLACK * baseline);
    if (this.#backpressure || (this.#baseline !== undefined && rose)) {
      this.limit = Math.max(1, Math.min(this.limit - 1, Math.floor(this.limit * DECREASE_RATIO)));
    } else if (this.#reached && holds) {
      this.limit = Math.min(this.#max, this.limit + 1);
    }
    this.#pastDeviation = this.#pastRtt === undefined ? current / 20 : (1 - ALPHA) * this.#pastDeviation + ALPHA * Math.abs(current - past);
    this.#pastRtt = (1 - ALPHA) * past + ALPHA * current;
    this.#baseline = current < baseline ? current : baseline + BASELINE_CREEP * (current - baseline);
  }
}
