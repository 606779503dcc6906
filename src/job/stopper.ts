import { setMaxListeners } from 'node:events';
import type { BulkError } from '../errors.js';

/**
 * Why and when a run stops early. An abort (credentials refused, --max-errors, an outage, the quota, the
 * input changed) keeps its first reason; an outside signal (SIGINT, SIGTERM) stops reading, and after
 * --drain-timeout cuts off the requests still in flight. Everything that waits listens on `signal`.
 */
export class Stopper {
  readonly #controller = new AbortController();
  #aborted: BulkError | undefined;
  #endedEarly: BulkError | undefined;
  #interrupted: string | undefined;

  constructor() {
    // Every row waiting out a backoff listens on this signal: as many as --concurrency at once.
    setMaxListeners(0, this.#controller.signal);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The first reason the run was aborted for, if it was (or else why it ended early, if it did). */
  get aborted(): BulkError | undefined {
    return this.#aborted ?? this.#endedEarly;
  }

  /** The signal that interrupted the run (SIGINT, SIGTERM), if one did and nothing aborted it first. */
  get interrupted(): string | undefined {
    return this.#aborted ? undefined : this.#interrupted;
  }

  abort(error: BulkError): void {
    this.#aborted ??= error;
    this.#controller.abort(error);
  }

  /**
   * The run ends early, but not cut short: nothing more will come to send (an input was cut off), and
   * what was read before still goes out and is recorded. The run then stops for `error`, unless an
   * abort comes meanwhile, which says why instead.
   */
  endEarly(error: BulkError): void {
    this.#endedEarly ??= error;
  }

  /**
   * Follows an outside signal: when it fires, stop; `drainMs` later, `cutOff` ends what is still in flight.
   * Returns the function that stops following (and cancels the cut-off).
   */
  follow(outside: AbortSignal | undefined, drainMs: number, cutOff: () => void): () => void {
    if (!outside) return () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const onSignal = (): void => {
      this.#interrupted = String(outside.reason ?? 'SIGINT');
      this.#controller.abort(outside.reason);
      timer = setTimeout(cutOff, drainMs);
      timer.unref();
    };
    if (outside.aborted) onSignal();
    else outside.addEventListener('abort', onSignal, { once: true });
    return () => {
      outside.removeEventListener('abort', onSignal);
      clearTimeout(timer);
    };
  }
}
