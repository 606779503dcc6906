import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { fromTransferable } from '../errors.js';
import type { TransferredError } from '../errors.js';
import { portInlet } from './hand-over.js';
import type { Parcel } from './parcel.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';
import type { StageMemory } from './stage-memory.js';

/** What a stage thread tells the main thread once it is set up. */
export type StageReport = { readonly type: 'ready'; readonly sources: SourceInfo[] } | { readonly type: 'error'; readonly error: TransferredError };

/** The first report of a thread: ready (with the inputs it sees), or the error that stopped it. */
function readiness(worker: Worker): Promise<SourceInfo[]> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`a preparing thread stopped unexpectedly (exit code ${code})`));
    worker.once('message', (report: StageReport) => {
      worker.off('exit', onExit);
      if (report.type === 'ready') resolve(report.sources);
      else reject(fromTransferable(report.error));
    });
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
}

/** Ends a thread: asks it to stop, and terminates it if it has not ended within a second. */
async function end(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'stop' });
  const timer = setTimeout(() => void worker.terminate(), 1000);
  await exited;
  clearTimeout(timer);
}

/**
 * The stage on two threads of its own: one reads and parses (parse-worker.ts), the other maps,
 * validates, serialises and packs (map-worker.ts); chunks go from one to the other directly, and only
 * parcels reach the main thread, which is left to send and record. Both threads start at once: the
 * mapping one compiles its schema while the reading one opens the inputs.
 */
export async function prepareInThreads(settings: PrepareSettings, stdinStream: Readable | undefined, memory: StageMemory) {
  const { MessageChannel, Worker } = await import('node:worker_threads');
  const chunks = new MessageChannel();
  const parcels = new MessageChannel();
  const usesStdin = settings.files.includes('-');
  // Each thread's heap and read-ahead, sized from the process's memory limit when it has one (stage-memory.ts).
  const { resourceLimits, ahead } = memory;
  // '../prepare/', not './': this code runs from dist/prepare/ as tsc builds it, and from a chunk in
  // dist/chunks/ in the CLI's bundle (scripts/build.js); both sit one folder below dist/, and the bundle
  // writes the workers to dist/prepare/ too, so only this path finds them from either.
  const parse = new Worker(new URL('../prepare/parse-worker.js', import.meta.url), {
    workerData: { settings, stdin: usesStdin, chunks: chunks.port1, ahead },
    transferList: [chunks.port1],
    stdin: usesStdin,
    resourceLimits,
  });
  const map = new Worker(new URL('../prepare/map-worker.js', import.meta.url), {
    workerData: { settings, chunks: chunks.port2, parcels: parcels.port1, ahead },
    transferList: [chunks.port2, parcels.port1],
    resourceLimits,
  });
  const stdin = usesStdin ? (stdinStream ?? process.stdin) : undefined;
  if (stdin) stdin.pipe(parse.stdin!);
  const close = async (): Promise<void> => {
    if (stdin) {
      stdin.unpipe(parse.stdin!);
      stdin.pause();
    }
    await Promise.all([end(map), end(parse)]);
    parcels.port2.close();
  };
  let sources: SourceInfo[];
  try {
    const mapReady = readiness(map);
    mapReady.catch(() => undefined);
    sources = await readiness(parse);
    map.postMessage({ type: 'sources', sources });
    await mapReady;
  } catch (error) {
    await close();
    throw error;
  }
  const inlet = portInlet<Parcel>(parcels.port2);
  for (const worker of [parse, map]) {
    worker.on('error', (error) => inlet.failed(error));
    worker.on('exit', (code) => code !== 0 && inlet.failed(new Error(`a preparing thread stopped unexpectedly (exit code ${code})`)));
  }
  return { sources, parcels: () => inlet.items(), close: () => (inlet.stop(), close()) };
}
