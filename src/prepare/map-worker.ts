/**
 * The mapping thread of the preparing stage: takes parsed chunks from the reading thread, maps, validates
 * and serialises every row and packs request bodies (map-stage.ts), and hands the parcels to the main
 * thread, each only once it has taken enough of the ones before (flow.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { toTransferable } from '../errors.js';
import { portInlet, portOutlet } from './hand-over.js';
import { MapStage } from './map-stage.js';
import { transferables } from './parcel.js';
import type { Parcel } from './parcel.js';
import type { ParsedChunk } from './parse-stage.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';
import type { StageReport } from './prepare-in-threads.js';
import { loadRowTools } from './row-tools.js';

const data = workerData as { settings: PrepareSettings; chunks: MessagePort; parcels: MessagePort; ahead: number };
const report = (message: StageReport): void => parentPort!.postMessage(message);
// The schema compiles (and --transform's module loads) while the reading thread opens the inputs; the
// main thread then says what they are. A failure is reported once the sources are in, as any other.
const tools = loadRowTools(data.settings);
tools.catch(() => undefined);
// 'stop' (the main thread is done with the stage) closes the chunks' port: the run below then ends.
const sources = new Promise<SourceInfo[]>((resolve, reject) =>
  parentPort!.on('message', (message: { type: 'sources'; sources: SourceInfo[] } | { type: 'stop' }) => {
    if (message.type === 'sources') resolve(message.sources);
    else {
      reject(new Error('stopped before it started'));
      data.chunks.close();
    }
  }),
);
try {
  const stage = new MapStage(data.settings, await sources, await tools);
  report({ type: 'ready', sources: await sources });
  // The bodies' bytes move to the main thread, not copied: they go from there to the socket as they are.
  const outlet = portOutlet<Parcel>(data.parcels, data.ahead, transferables);
  try {
    await stage.run(portInlet<ParsedChunk>(data.chunks), outlet);
  } catch (error) {
    outlet.fail(error);
  }
} catch (error) {
  report({ type: 'error', error: toTransferable(error) });
} finally {
  await tools.then((loaded) => loaded.ledger?.close(), () => undefined);
  data.chunks.close();
  data.parcels.unref();
  parentPort!.unref();
}
