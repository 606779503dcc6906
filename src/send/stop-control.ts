import type { BulkError } from '../errors.js';

/** How the sender sees the run's stop: a signal it waits on, and a way to stop the run for a reason. */
export interface StopControl {
  readonly signal: AbortSignal;
  abort(error: BulkError): void;
}
