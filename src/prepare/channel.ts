import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { fromTransferable } from '../errors.js';
import type { TransferredError } from '../errors.js';
import type { Chunk } from './chunk.js';
import type { PrepareOptions, SourceInfo } from './prepare.js';

/** What the worker starts with. */
export interface WorkerData {
  readonly options: PrepareOptions;
  /** Read `-` from the worker's stdin, which the main thread feeds. */
  readonly stdin: boolean;
  /** Chunks the worker may post ahead of the consumer. */
  readonly ahead: number;
  readonly chunkRows: number;
  /** A partial chunk is posted after this long without a new row (ms). */
  readonly flushMs: number;
}

export type ToMain =
  | { readonly type: 'ready'; readonly sources: SourceInfo[] }
  | { readonly type: 'chunk'; readonly chunk: Chunk }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: TransferredError };

export type ToWorker = { readonly type: 'credit' } | { readonly type: 'stop' };

/** The preparing stage, running in its own thread, seen from the main thread. */
export interface PreparedInput {
  readonly sources: readonly SourceInfo[];
  /** Input bytes read so far (as of the last chunk). */
  bytesRead(): number;
  /** The prepared rows in order, chunk by chunk; one consumer. */
  chunks(): AsyncGenerator<Chunk>;
  /** Stops reading and ends the thread; safe to call at any time, more than once. */
  close(): Promise<void>;
}

export interface PrepareThreadOptions {
  /** What `-` reads (default process.stdin). */
  readonly stdin?: Readable | undefined;
  readonly chunkRows?: number | undefined;
  readonly ahead?: number | undefined;
}

/**
 * Starts the preparing stage (read → map → validate → serialise) in a worker thread, so it runs beside
 * the sending on the main thread instead of taking turns with it. Resolves once every input is open and
 * every header resolved; rejects, with the worker's own typed error, when one is not — before any row
 * is read, so a bad file is refused before anything is sent.
 */
export async function startPreparing(options: PrepareOptions, thread: PrepareThreadOptions = {}): Promise<PreparedInput> {
  const usesStdin = options.files.includes('-');
  const data: WorkerData = {
    options,
    stdin: usesStdin,
    ahead: thread.ahead ?? 4,
    chunkRows: thread.chunkRows ?? 256,
    flushMs: 10,
  };
  // A smaller young generation than V8's default (48 MB here): the worker's garbage is short-lived rows,
  // and 16 MB costs no measurable speed (8 MB did: a fifth of the thread went to scavenges).
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, stdin: usesStdin, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const stdin = usesStdin ? (thread.stdin ?? process.stdin) : undefined;
  if (stdin) stdin.pipe(worker.stdin!);

  const queue: Chunk[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let latestBytes = 0;
  let sources: SourceInfo[] | undefined;
  let resolveReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const settle = (): void => {
    resolveReady?.();
    wake?.();
  };
  worker.on('message', (message: ToMain) => {
    switch (message.type) {
      case 'ready':
        sources = message.sources;
        break;
      case 'chunk':
        queue.push(message.chunk);
        break;
      case 'end':
        ended = true;
        break;
      case 'error':
        failure ??= fromTransferable(message.error);
        break;
    }
    settle();
  });
  worker.on('error', (error) => {
    failure ??= error;
    settle();
  });
  worker.on('exit', (code) => {
    if (!ended && !failure) failure = new Error(`the preparing thread stopped unexpectedly (exit code ${code})`);
    settle();
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      if (stdin) {
        stdin.unpipe(worker.stdin!);
        stdin.pause();
      }
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      // The worker closes its files and ends by itself; terminate() is the backstop.
      const timer = setTimeout(() => void worker.terminate(), 1000);
      if (worker.threadId !== -1) await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      clearTimeout(timer);
    })());

  await ready;
  if (failure !== undefined || sources === undefined) {
    await close();
    throw failure ?? new Error('the preparing thread ended before opening its inputs');
  }

  async function* chunks(): AsyncGenerator<Chunk> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        latestBytes = chunk.bytesRead;
        worker.postMessage({ type: 'credit' } satisfies ToWorker);
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  return { sources, bytesRead: () => latestBytes, chunks, close };
}
