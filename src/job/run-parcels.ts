import { BulkError } from '../errors.js';
import { ParcelView } from '../prepare/index.js';
import type { Parcel, StageStop } from '../prepare/index.js';
import type { Stats } from '../report/index.js';
import { bodiesOf, Slots } from '../send/index.js';
import type { Sender } from '../send/index.js';
import type { Recorder } from './recorder.js';
import type { Stopper } from './stopper.js';

/** The HTTP side of a run that sends: the sender, and how many requests it may have in flight. */
export interface Sending {
  readonly sender: Sender;
  readonly concurrency: number;
}

/**
 * Runs the parcels through: each parcel's finished rows recorded as it is taken, then its bodies sent
 * with at most `concurrency` requests in flight. The next parcel is pulled only once a slot is free, so
 * the preparing stage is held still while every slot is busy. Without a sender (validate, --dry-run)
 * the parcels' rows are only recorded. Stops pulling once `stop` fires, or after a parcel that says the
 * stage stopped; requests in flight always finish.
 */
export async function runParcels(parcels: AsyncIterable<Parcel>, record: Recorder, stop: Stopper, stats: Stats, http?: Sending): Promise<void> {
  const slots = http ? new Slots(http.concurrency) : undefined;
  try {
    for await (const parcel of parcels) {
      if (stop.signal.aborted) return;
      const rows = new ParcelView(parcel);
      stats.bytesRead = parcel.bytes;
      stats.rowsTaken += rows.count + parcel.skipped;
      const written = record.finished(parcel, rows);
      if (written) await written;
      if (http && slots) {
        for (const body of bodiesOf(parcel, rows)) {
          slots.start(() => http.sender.send(body));
          if (!(await slots.free(stop.signal))) return;
        }
      }
      if (parcel.stopped) return stageStopped(parcel.stopped, stop, http !== undefined);
    }
    stats.inputDone = true;
  } finally {
    await slots?.drain();
  }
}

/**
 * The preparing stage stopped early: an input changed (--resume; the row that differs, and those after
 * it, are not in the parcel) stops the run; one cut off (a download broken midway; its whole rows before
 * the cut are in the parcel, and went) ends it once they are done.
 */
function stageStopped(stopped: StageStop, stop: Stopper, sending: boolean): void {
  if (stopped.reason === 'changed') {
    stop.abort(new BulkError('BULK_INPUT_CHANGED', `${stopped.message}: the input changed since the report was written (regenerated, re-sorted or edited?), so --resume cannot tell which rows were sent; nothing more was sent`));
    return;
  }
  const next = sending ? 'run again with --resume to carry on from there (the rows already accepted are checked and skipped, not sent twice)' : 'run again to read the rest';
  stop.endEarly(new BulkError('BULK_INPUT_CUT', `${stopped.message}; nothing after it was read: ${next}`));
}
