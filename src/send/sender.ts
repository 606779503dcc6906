import { subsetBody } from '../prepare/index.js';
import type { Parcel, ParcelView } from '../prepare/index.js';
import type { AnswerRule } from './answer.js';
import { classifyBatch } from './batch-outcome.js';
import type { HttpResult } from './http-client.js';
import type { RowOutcome, RowSink } from './row-sink.js';
import type { StopControl } from './stop-control.js';
import { classify } from './outcome.js';
import type { Outcome } from './outcome.js';
import type { Requester } from './requester.js';
import { retryDelay, wait } from './retry.js';
import type { RetryPolicy } from './retry.js';

/** One request body of a parcel: its bytes, where they start in the parcel's data, and the rows it carries. */
export interface Body {
  readonly parcel: Parcel;
  readonly rows: ParcelView;
  readonly start: number;
  readonly bytes: Uint8Array;
  /** The parcel's index of the body's first row; the body carries `count` rows from there. */
  readonly first: number;
  readonly count: number;
}

/** The request bodies of a parcel, in order: each with its bytes and the rows it carries. */
export function* bodiesOf(parcel: Parcel, rows: ParcelView): Generator<Body> {
  let first = 0;
  for (let b = 0; b < parcel.bodyEnds.length; b++) {
    const start = b === 0 ? 0 : parcel.bodyEnds[b - 1];
    yield { parcel, rows, start, bytes: parcel.data.subarray(start, parcel.bodyEnds[b]), first, count: parcel.sizes[b] };
    first += parcel.sizes[b];
  }
}

/** An outcome as recorded: one that halts the run (401/403, a wrong URL) turns the row `failed`, anything else as classified. */
const recorded = (outcome: Outcome): RowOutcome => (outcome.haltsRun ? { ...outcome, status: 'failed' } : outcome);

/**
 * Sends bodies, retrying what is worth retrying, and records every row they carried. A single-record body
 * is classified as one answer; a batch is matched item by item, by eventId (batch-outcome.ts): accepted and
 * rejected items are recorded, retryable ones (no result, 429, 5xx, network) are re-sent with the same
 * eventIds, cut from the body that was built once; a 413 splits the batch in half.
 */
export class Sender {
  readonly #request: Requester;
  readonly #retry: RetryPolicy;
  readonly #record: RowSink;
  readonly #stop: StopControl;
  readonly #batches: boolean;
  readonly #rule: AnswerRule;

  constructor(request: Requester, retry: RetryPolicy, record: RowSink, stop: StopControl, batches: boolean, rule: AnswerRule) {
    this.#rule = rule;
    this.#request = request;
    this.#retry = retry;
    this.#record = record;
    this.#stop = stop;
    this.#batches = batches;
  }

  send(body: Body): Promise<void> {
    return this.#batches ? this.#batch(body, Array.from({ length: body.count }, (_, k) => k), 0) : this.#one(body);
  }

  async #one(body: Body): Promise<void> {
    const eventId = body.rows.eventId(body.first) ?? undefined;
    let attempts = 0;
    let failures = 0;
    let outcome: Outcome | undefined;
    for (;;) {
      const result = await this.#request.post(body.bytes, attempts > 0);
      if (!result) break;
      attempts++;
      outcome = classify(result, eventId, this.#rule);
      if (outcome.haltsRun) {
        this.#request.halted(outcome);
        break;
      }
      if (!outcome.retryable || result.tlsError || this.#stop.signal.aborted) break;
      // During an outage the throttle paces the probes, and tries do not use up the row's retries.
      if (this.#request.inOutage) continue;
      if (++failures > this.#retry.retries) break;
      await this.#backoff(failures, result);
    }
    if (outcome) await this.#record.sent(body.rows, [body.first], [recorded(outcome)], attempts);
  }

  /**
   * Sends the items of `body` at `items` (positions in it), until each is recorded or the run stops.
   * `tries` is how many requests already carried them (a half of a split batch starts with its whole's).
   */
  async #batch(body: Body, items: number[], tries: number): Promise<void> {
    const { parcel, rows, first } = body;
    const ends = parcel.itemEnds.slice(first, first + body.count);
    let pending = items;
    let attempts = tries;
    let failures = 0;
    let last: Outcome[] | undefined;
    while (pending.length > 0) {
      const bytes = pending.length === body.count ? body.bytes : subsetBody(parcel.data, body.start, ends, pending);
      const result = await this.#request.post(bytes, attempts > 0);
      if (!result) break;
      attempts++;
      if (result.httpStatus === 413 && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await this.#batch(body, pending.slice(0, half), attempts);
        await this.#batch(body, pending.slice(half), attempts);
        return;
      }
      const outcomes = classifyBatch(result, pending.map((k) => rows.eventId(first + k) ?? undefined), this.#rule);
      if (!this.#request.inOutage && outcomes.some((o) => o.retryable)) failures++;
      const again = await this.#settle(body, pending, outcomes, attempts, failures > this.#retry.retries || this.#stop.signal.aborted || Boolean(result.tlsError));
      last = again.map((j) => outcomes[j]);
      pending = again.map((j) => pending[j]);
      if (pending.length > 0 && !this.#request.inOutage) await this.#backoff(failures, result);
    }
    // Stopped with items that were sent and failed: record them (an item never sent gets no line).
    if (attempts > tries && pending.length > 0) {
      await this.#record.sent(rows, pending.map((k) => first + k), pending.map((_, j) => ({ ...last?.[j], status: 'failed' })), attempts);
    }
  }

  /** Records the items that are done, in one go; returns the indexes (into `pending`) of those to send again. */
  async #settle(body: Body, pending: number[], outcomes: Outcome[], attempts: number, giveUp: boolean): Promise<number[]> {
    const again: number[] = [];
    const done: number[] = [];
    const doneOutcomes: RowOutcome[] = [];
    for (let j = 0; j < pending.length; j++) {
      const outcome = outcomes[j];
      if (outcome.haltsRun) this.#request.halted(outcome);
      else if (outcome.retryable && !giveUp) {
        again.push(j);
        continue;
      }
      done.push(body.first + pending[j]);
      doneOutcomes.push(recorded(outcome));
    }
    const written = this.#record.sent(body.rows, done, doneOutcomes, attempts);
    if (written) await written;
    return again;
  }

  #backoff(failures: number, result: HttpResult): Promise<void> {
    return wait(retryDelay(this.#retry, failures, result.httpStatus, result.retryAfterMs), this.#stop.signal);
  }
}
