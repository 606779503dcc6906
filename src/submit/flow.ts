import { BulkError } from '../errors.js';
import { ParcelView } from '../prepare/index.js';
import type { Parcel } from '../prepare/index.js';
import type { Stats } from '../report/index.js';
import { forEachBounded } from './bounded.js';
import type { Recorder } from './recorder.js';
import type { Body, Sender } from './send.js';
import type { Stopper } from './stopper.js';

/**
 * The bodies of the parcels, one by one, as the sender takes them: the rows each parcel finished itself
 * are recorded first. Pulls the next parcel only when a body is wanted, so the preparing stage is held
 * still while every request slot is busy. Stops after a parcel that says the stage stopped: an input
 * changed (--resume; the row that differs, and those after it, are not in the parcel) or was cut off
 * (a download broken midway; its whole rows before the cut are in it, and go).
 */
async function* bodies(parcels: AsyncIterable<Parcel>, record: Recorder, stop: Stopper, stats: Stats, sending: boolean): AsyncGenerator<Body> {
  for await (const parcel of parcels) {
    if (stop.signal.aborted) return;
    const rows = new ParcelView(parcel);
    stats.bytesRead = parcel.bytes;
    stats.rowsTaken += rows.count + parcel.skipped;
    const wait = record.finished(parcel, rows);
    if (wait) await wait;
    let first = 0;
    for (let b = 0; b < parcel.bodyEnds.length; b++) {
      const start = b === 0 ? 0 : parcel.bodyEnds[b - 1];
      yield { parcel, rows, start, bytes: parcel.data.subarray(start, parcel.bodyEnds[b]), first, count: parcel.sizes[b] };
      first += parcel.sizes[b];
    }
    if (parcel.stopped?.reason === 'changed') {
      stop.abort(new BulkError('BULK_INPUT_CHANGED', `${parcel.stopped.message}: the input changed since the report was written (regenerated, re-sorted or edited?), so --resume cannot tell which rows were sent; nothing more was sent`));
      return;
    }
    if (parcel.stopped?.reason === 'cut') {
      const next = sending ? 'run again with --resume to carry on from there (the rows already accepted are checked and skipped, not sent twice)' : 'run again to read the rest';
      stop.endEarly(new BulkError('BULK_INPUT_CUT', `${parcel.stopped.message}; nothing after it was read: ${next}`));
      return;
    }
  }
  stats.inputDone = true;
}

/**
 * Runs the parcels through: every body sent with at most `concurrency` requests in flight (a slot frees,
 * the next body is pulled), every row recorded. Without a sender (validate, --dry-run), the parcels'
 * rows are only recorded. Stops pulling once `stop` fires; requests in flight always finish.
 */
export async function flow(parcels: AsyncIterable<Parcel>, record: Recorder, stop: Stopper, stats: Stats, http?: { sender: Sender; concurrency: number }): Promise<void> {
  const all = bodies(parcels, record, stop, stats, http !== undefined);
  if (http) {
    await forEachBounded(all, http.concurrency, (body) => http.sender.send(body), stop.signal);
    return;
  }
  for await (const body of all) void body; // validate: the parcels hold no bodies; their rows are recorded above.
}
