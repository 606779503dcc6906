/** How a request's answer counts for the limit: it did the work, it was pushed back (429, 503), or it failed. */
export type Signal = 'ok' | 'backpressure' | 'failed';

export interface AdaptiveLimitOptions {
  /** The most requests in flight the limit may grow to (--concurrency auto:N). */
  readonly max: number;
  /** Where the limit starts. */
  readonly initial?: number | undefined;
}

/** The moving averages' weight of the newest window (Vector's ewma_alpha). */
const ALPHA = 0.4;
/** How many deviations above the baseline a window's mean RTT may be before the limit shrinks (Vector's rtt_deviation_scale) … */
const DEVIATION_SCALE = 2.5;
/** … at least this share of the baseline, however steady the RTTs (a millisecond of the client's own jitter is a tenth of a 10 ms RTT) … */
const RISE_SLACK = 0.25;
/** … and at most this share, however jittery: a deviation swollen by a burst must not hide a queue. */
const RISE_CAP = 0.5;
/** A window holds (the limit may grow) within this share of the baseline, plus the RTT's deviation up to as much again. */
const HOLD_SLACK = 0.05;
/**
 * A step up is kept when what the limit carries a second (in flight over RTT: Little's law) rose by at
 * least this share of the step: 8 → 9 must carry 3.75 % more. A step past the knee of an endpoint that
 * queues carries no more; one past a sharp knee carries less; one on an endpoint with room carries all of it.
 */
const STEP_GAIN = 0.3;
/** A step that added this share of its size shows room: the next is twice as large. */
const ROOM_GAIN = 0.7;
/** A shrink for a rise that did not bring the RTT down by this share of the shrink was no queue of ours (the endpoint became slower). */
const FALL_SHARE = 0.25;
/** A shrink takes the limit to at least this share of what it was, and at most this share (a rise is proportional to the queue). */
const SHRINK_FLOOR = 0.5;
const SHRINK_CEILING = 0.9;
/**
 * A window in which at least this share of answers, and at least two, are 429 or 503 shrinks the limit: a
 * rate, not a lone refusal. An endpoint that sheds 3 % of requests at random trips it in fewer than 1 % of
 * windows of 8 answers; one that refuses what is past its rate limit trips it at once.
 */
const BACKPRESSURE_SHARE = 0.25;
/** A rise this many windows after a step up (with the limit where the step took it) is the step's: it is taken back. */
const RECENT_STEP_WINDOWS = 3;
/** After a step up, this many answers in a row slower by RISE_CAP than before it take it back at once. */
const EARLY_ANSWERS = 3;
/** A window holds at least this many answers, or half the limit's if more … */
const MIN_ANSWERS = 8;
/** … unless it has lasted this many RTTs. */
const WINDOW_RTTS = 4;
/**
 * After a step that was taken back, the holding windows to wait before trying that limit again: 4, then ×4
 * each time the same limit fails, up to this. Each try past a sharp knee sends a window of requests at its latency; one window in 256 keeps them
 * under 1 % of the requests, below the p99.
 */
const MAX_PROBE_WAIT = 256;
const FIRST_PROBE_WAIT = 4;

/** One window's answers, to requests sent under the limit as it stands. */
interface Window {
  start: number;
  /** The RTTs of the answers that did the work. */
  rtts: number[];
  /** After a step up: answers slower than the RTT before it by more than RISE_CAP. */
  slow: number;
  pushedBack: number;
  answers: number;
  /** A request went out with the whole limit in use. */
  reached: boolean;
}

/**
 * The middle of a window's RTTs: one request held up by a pause of the client's own (a garbage collection,
 * a busy event loop) moves a mean of eight by an eighth of its delay, and the median not at all.
 */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

/** What the window after a change is to tell: did the step up pay, did the shrink bring the RTT down? */
type Change =
  | { readonly kind: 'step'; readonly from: number; readonly rtt: number; readonly again?: boolean }
  | { readonly kind: 'shrink'; readonly from: number; readonly rtt: number; readonly ceiling: number; readonly probeWait: number }
  | { readonly kind: 'takenBack' };

/**
 * The number of requests in flight that an endpoint takes without queueing them, found as it goes: a
 * window of about one RTT at a time, judged against a baseline RTT, in the manner of Vector's adaptive
 * request concurrency and TCP Vegas. Written by hand: undici paces nothing, and the libraries that do
 * (p-limit, Bottleneck) take a fixed limit.
 *
 * - **What a window measures.** The median RTT of the answers that did the work (2xx): a 503 answered at
 *   once says nothing about the queue. Only requests sent after the last change of the limit count, so the
 *   window after a change judges the limit as it stands, not the one before.
 * - **The baseline** is the fastest window seen. Against the moving average instead (Vector's past RTT),
 *   each step up is judged only against the step before, and past the knee the limit ratchets up
 *   (measured: to 39 against a knee at 8); a baseline that forgets its fast windows in time ratchets too.
 * - **Up.** A window that held near the baseline with the whole limit in use steps the limit up. The step
 *   is kept only if it paid (STEP_GAIN); each step that paid doubles the next (1, 2, 4 …: an endpoint with
 *   room is found in a few RTTs), and one that did not is taken back, the steps start again at 1, and the
 *   next try waits longer (MAX_PROBE_WAIT: a sharp knee costs little once found).
 * - **Down.** A window whose RTT rose past the baseline (by DEVIATION_SCALE deviations, at least RISE_SLACK,
 *   at most RISE_CAP) means requests queue: the limit shrinks in proportion to the rise. A shrink that did
 *   not bring the RTT down was the endpoint growing slower, not a queue of ours: the limit is restored and
 *   the baseline starts again from there (a drift, or a fast outlier window, is forgotten so).
 * - **Back-pressure** (429, 503) shrinks the limit by a tenth when it is a rate: BACKPRESSURE_SHARE of a
 *   window's answers. A lone 503 among successes is noise (Vector's ARC reacts to a rate as well).
 */
export class AdaptiveLimit {
  readonly #max: number;
  /** Requests in flight allowed now. */
  limit: number;
  /** The fastest window since the start, or since the endpoint was found to have become slower. */
  #baseline: number | undefined;
  #pastRtt: number | undefined;
  #pastDeviation = 0;
  #window: Window | undefined;
  #closedAt: number | undefined;
  #reached = false;
  /** When the limit last changed: answers to requests sent before it judge the old limit, not this one. */
  #changedAt = Number.NEGATIVE_INFINITY;
  #change: Change | undefined;
  #step = 1;
  /** The lowest limit whose step up did not pay, until one does: steps stop below it, and try it only after the wait. */
  #ceiling = Number.POSITIVE_INFINITY;
  #probeWait = 1;
  #holds = 0;
  /** The last window held near the baseline. */
  #held = false;
  /** The last window rose past it. */
  #rose = false;
  /** The last step up, for RECENT_STEP_WINDOWS windows after it. */
  #recentStep: { readonly from: number; readonly to: number; windows: number } | undefined;

  constructor(options: AdaptiveLimitOptions) {
    this.#max = options.max;
    this.limit = Math.max(1, Math.min(options.max, options.initial ?? 1));
    // Until a step fails to pay, each doubles the limit (slow start): an endpoint with room is found in a few RTTs.
    this.#step = this.limit;
  }

  /** A request is going out with `inFlight` in flight (itself included): did it use the whole limit? */
  started(inFlight: number): void {
    if (inFlight >= this.limit) this.#reached = true;
  }

  /** A request sent `rttMs` before `now` was answered; at the end of a window, the limit moves. */
  observe(rttMs: number, signal: Signal, now: number): void {
    if (now - rttMs < this.#changedAt) return;
    // Windows follow one another: the one after a change starts at it and closes about an RTT later, with
    // the answers to the requests sent under the new limit.
    const window = (this.#window ??= { start: this.#closedAt ?? now, rtts: [], slow: 0, pushedBack: 0, answers: 0, reached: false });
    window.answers++;
    if (signal === 'ok') {
      window.rtts.push(rttMs);
      if (this.#change?.kind === 'step' && rttMs > this.#change.rtt * (1 + RISE_CAP)) window.slow++;
    } else if (signal === 'backpressure') {
      window.pushedBack++;
    }
    // A window lasts about one RTT and holds at least MIN_ANSWERS answers and half the limit's (a median of
    // a few is noise, and a share of 503s in a few answers between two bursts is no rate), unless the
    // limit is too low for that in WINDOW_RTTS RTTs.
    const rtt = this.#pastRtt ?? rttMs;
    const elapsed = now - window.start;
    // A step up past a sharp knee shows in its first answers: they close the window at once.
    const pastKnee = window.slow >= EARLY_ANSWERS && window.slow === window.rtts.length;
    if (!pastKnee && (window.answers < 2 || elapsed < rtt || (window.answers < Math.max(MIN_ANSWERS, this.limit / 2) && elapsed < WINDOW_RTTS * rtt))) return;
    window.reached = this.#reached;
    this.#window = undefined;
    this.#reached = false;
    this.#closedAt = now;
    const before = this.limit;
    this.#judge(window);
    if (this.limit !== before) this.#changedAt = now;
  }

  #judge(window: Window): void {
    const change = this.#change;
    this.#change = undefined;
    if (this.#recentStep && ++this.#recentStep.windows > RECENT_STEP_WINDOWS) this.#recentStep = undefined;
    if (window.pushedBack >= 2 && window.pushedBack >= BACKPRESSURE_SHARE * window.answers) {
      this.#step = 1;
      this.limit = Math.max(1, Math.min(this.limit - 1, Math.floor(this.limit * SHRINK_CEILING)));
      return;
    }
    if (window.rtts.length === 0) return;
    const current = median(window.rtts);
    const known = this.#baseline;
    this.#learn(current);
    // The first window (connections opening) gives a baseline to start from. The one after a step taken
    // back meets the queue that step made, still draining at the endpoint.
    if (known === undefined || change?.kind === 'takenBack') return;
    const spread = Math.min(Math.max(DEVIATION_SCALE * this.#pastDeviation, RISE_SLACK * known), RISE_CAP * known);
    const rose = current > known + spread;
    const holds = current <= known * (1 + HOLD_SLACK) + Math.min(this.#pastDeviation, HOLD_SLACK * known);
    const [heldBefore, roseBefore] = [this.#held, this.#rose];
    [this.#held, this.#rose] = [holds, rose];

    if (change?.kind === 'shrink' && this.#notOurQueue(change, current)) return;
    if (change?.kind === 'step' && !this.#keepStep(change, current)) return;
    if (change?.kind === 'step' && !rose) return this.#grow(current, window.reached);
    const recent = this.#recentStep;
    if (rose && recent !== undefined && this.limit === recent.to) {
      // A queue that shows a window or two after a step paid (the endpoint took a while to fill): the step's.
      return this.#takeBack(recent.from);
    }
    // A rise must last two windows: one slow window is as likely the client's own pause as a queue.
    if (rose && roseBefore) return this.#shrink(known, current);
    // Two windows in a row near the baseline: a run's first windows, slow while connections open and
    // code warms up, each set a new baseline, and a step judged against one of them would look paid.
    if (holds && heldBefore) this.#grow(current, window.reached);
  }

  /** Did the shrink not bring the RTT down as a queue would? Then the endpoint became slower: undo it. */
  #notOurQueue(change: Extract<Change, { kind: 'shrink' }>, current: number): boolean {
    if (current <= change.rtt * (1 - FALL_SHARE * (1 - this.limit / change.from))) return false;
    this.limit = change.from;
    this.#baseline = current;
    this.#ceiling = change.ceiling;
    this.#probeWait = change.probeWait;
    return true;
  }

  /** The window after a step up: keep it if it paid (false when it was taken back, or waits for a second look). */
  #keepStep(change: Extract<Change, { kind: 'step' }>, current: number): boolean {
    const paid = this.#paid(change.from, change.rtt, current);
    if (paid < STEP_GAIN) {
      this.#takeBack(change.from);
      return false;
    }
    if (this.limit < this.#ceiling) {
      // It did more. Only a step that carried nearly all its size shows room for a larger one.
      this.#step = paid >= ROOM_GAIN ? Math.min(this.#step * 2, this.limit) : 1;
      return true;
    }
    // A limit that failed before must pay twice running to be taken: one lucky window is not enough.
    if (!change.again) {
      this.#change = { ...change, again: true };
      return false;
    }
    this.#ceiling = Number.POSITIVE_INFINITY;
    this.#probeWait = 1;
    this.#step = 1;
    return true;
  }

  /** Requests queue: shrink in proportion to the rise, and bar the limit they queued at, as a step that did not pay. */
  #shrink(baseline: number, current: number): void {
    this.#change = { kind: 'shrink', from: this.limit, rtt: current, ceiling: this.#ceiling, probeWait: this.#probeWait };
    this.#bar(this.limit);
    const share = Math.min(SHRINK_CEILING, Math.max(SHRINK_FLOOR, baseline / current));
    this.limit = Math.max(1, Math.min(this.limit - 1, Math.floor(this.limit * share)));
  }

  /** A window that held with the whole limit in use: step up, once the wait after a step taken back is over. */
  #grow(current: number, reached: boolean): void {
    if (!reached || this.limit >= this.#max) return;
    const below = this.#ceiling - 1;
    if (this.limit >= below && ++this.#holds < this.#probeWait) return;
    this.#holds = 0;
    this.#change = { kind: 'step', from: this.limit, rtt: current };
    this.limit = Math.min(this.#max, this.limit >= below ? this.limit + 1 : Math.min(below, this.limit + this.#step));
    this.#recentStep = { from: this.#change.from, to: this.limit, windows: 0 };
  }

  /** The step up made requests wait instead of doing more: back to `from`; the next try waits longer. */
  #takeBack(from: number): void {
    this.#bar(this.limit);
    this.#change = { kind: 'takenBack' };
    this.limit = from;
  }

  /**
   * Requests queued at `limit`: steps stop below it, and it is tried again only after a wait, which grows
   * only when the same limit fails again (one unlucky window must not bar a level for long).
   */
  #bar(limit: number): void {
    this.#probeWait = limit === this.#ceiling ? Math.min(MAX_PROBE_WAIT, this.#probeWait * 4) : FIRST_PROBE_WAIT;
    this.#ceiling = limit;
    this.#step = 1;
    this.#holds = 0;
  }

  /** What share of its own size the step from `from` (at `before` ms) to the limit (at `after` ms) added to what it carries a second. */
  #paid(from: number, before: number, after: number): number {
    const carried = this.limit / after / (from / before);
    return (carried - 1) / (this.limit / from - 1);
  }

  /** The window's RTT joins the baseline and the moving averages. */
  #learn(current: number): void {
    const past = this.#pastRtt ?? current;
    this.#pastDeviation = this.#pastRtt === undefined ? current / 20 : (1 - ALPHA) * this.#pastDeviation + ALPHA * Math.abs(current - past);
    this.#pastRtt = (1 - ALPHA) * past + ALPHA * current;
    this.#baseline = Math.min(this.#baseline ?? current, current);
  }
}
