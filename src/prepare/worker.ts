/**
 * Worker-thread entry of the preparing stage: reads, maps, validates and serialises rows (prepare.ts)
 * and posts them to the main thread in chunks. Flow control is by credit: the worker may have at most
 * `ahead` chunks posted and not yet taken; it stops reading until the main thread hands a credit back,
 * so a slow endpoint holds the file reader still and memory stays flat.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toTransferable } from '../errors.js';
import { ChunkBuilder } from './chunk.js';
import { openPreparer } from './prepare.js';
import type { Preparer, RowSink } from './prepare.js';
import type { ToMain, ToWorker, WorkerData } from './channel.js';

const port = parentPort!;
const data = workerData as WorkerData;
const post = (message: ToMain): void => port.postMessage(message);

let credits = data.ahead;
let stopped = false;
let wake: (() => void) | undefined;
let preparer: Preparer | undefined;
port.on('message', (message: ToWorker) => {
  if (message.type === 'credit') credits++;
  else {
    stopped = true;
    preparer?.close();
  }
  wake?.();
});

try {
  preparer = await openPreparer(data.options, data.stdin ? process.stdin : undefined);
  post({ type: 'ready', sources: preparer.sources });
  // Parsed-only rows always carry their cells: the main thread maps them.
  const builder = new ChunkBuilder(data.options.keepCells || data.options.stage === 'parse');
  const source = preparer;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const send = async (end?: { file: string; rows: number }): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (builder.size === 0 && !end) return;
    while (credits === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
    if (stopped) return;
    credits--;
    post({ type: 'chunk', chunk: builder.take(source.bytesRead(), end)! });
  };
  // One flush at a time, in order: a timer flush and a full-chunk flush never post out of turn.
  const flush = (end?: { file: string; rows: number }): Promise<void> => (flushing = flushing.then(() => send(end)));
  const sink: RowSink = {
    push(row, status, eventId, text, digest) {
      builder.add(row, status, eventId, text, digest);
      if (builder.size >= data.chunkRows) return flush();
      // A partial chunk goes out after `flushMs` if no more rows come: a slow trickle on stdin flows.
      timer ??= setTimeout(() => void flush(), data.flushMs);
      return undefined;
    },
    endOfFile: (file, rows) => flush({ file, rows }),
  };
  if (!stopped) await preparer.prepare(sink);
  await flushing;
  post({ type: 'end' });
} catch (error) {
  if (!stopped) post({ type: 'error', error: toTransferable(error) });
} finally {
  preparer?.close();
  // Nothing else will come from the main thread that matters: let the thread end on its own.
  port.unref();
}
