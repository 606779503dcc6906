/**
 * Worker-thread entry of the preparing stage: reads, maps, validates and serialises rows (prepare.ts)
 * and posts them to the main thread in chunks (pump.ts). Flow control is by credit: the worker may have
 * at most `ahead` chunks posted and not yet taken; it stops reading until the main thread hands a
 * credit back, so a slow endpoint holds the file reader still and memory stays flat.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toTransferable } from '../errors.js';
import { openPreparer } from './prepare.js';
import type { Preparer } from './prepare.js';
import { pump } from './pump.js';
import type { ChunkPort } from './pump.js';
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

const chunkPort: ChunkPort = {
  post: (chunk) => post({ type: 'chunk', chunk }),
  credit: () => new Promise<void>((resolve) => (wake = resolve)),
  get credits() {
    return credits;
  },
  get stopped() {
    return stopped;
  },
  spend: () => void credits--,
};

try {
  preparer = await openPreparer(data.options, data.stdin ? process.stdin : undefined);
  post({ type: 'ready', sources: preparer.sources });
  // Parsed-only rows always carry their cells: the main thread maps them.
  await pump(preparer, { ...data, keepCells: data.options.keepCells || data.options.stage === 'parse' }, chunkPort);
  post({ type: 'end' });
} catch (error) {
  if (!stopped) post({ type: 'error', error: toTransferable(error) });
} finally {
  preparer?.close();
  // Nothing else will come from the main thread that matters: let the thread end on its own.
  port.unref();
}
