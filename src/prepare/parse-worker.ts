/**
 * The reading thread of the preparing stage: opens the inputs, tells the main thread what they are, and
 * reads their rows into chunks that go straight to the mapping thread (a MessagePort between the two),
 * each only when that thread has taken enough of the ones before (flow.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { toTransferable } from '../errors.js';
import { portOutlet } from './hand-over.js';
import { openParseStage } from './parse-stage.js';
import type { ParsedChunk, ParseStage } from './parse-stage.js';
import type { PrepareSettings } from './prepare-settings.js';
import type { StageReport } from './prepare-in-threads.js';

const data = workerData as { settings: PrepareSettings; stdin: boolean; chunks: MessagePort; ahead: number };
const report = (message: StageReport): void => parentPort!.postMessage(message);
let stage: ParseStage | undefined;
parentPort!.on('message', (message: { type: 'stop' }) => {
  if (message.type === 'stop') stage?.close();
});
try {
  stage = await openParseStage(data.settings, data.stdin ? process.stdin : undefined);
  report({ type: 'ready', sources: stage.sources });
  const outlet = portOutlet<ParsedChunk>(data.chunks, data.ahead);
  try {
    await stage.run(outlet);
  } catch (error) {
    outlet.fail(error);
  }
} catch (error) {
  report({ type: 'error', error: toTransferable(error) });
} finally {
  stage?.close();
  data.chunks.unref();
  parentPort!.unref();
}
