import type { ParcelView } from '../prepare/index.js';
import type { RowStatus } from '../report/index.js';

/** What a request came to for one row it carried. */
export interface RowOutcome {
  readonly status: RowStatus;
  /** The id the service gave the row, when it said; otherwise the row's own. */
  readonly eventId?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
}

/** Where the sender records each row it sent: a promise back when the disk is behind (backpressure). */
export interface RowSink {
  sent(rows: ParcelView, items: readonly number[], outcomes: readonly RowOutcome[], attempts: number): Promise<void> | undefined;
}
