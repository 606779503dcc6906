import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fromTransferable } from '../errors.js';
import type { TransferredError } from '../errors.js';
import type { Chunk } from './chunk.js';
import { openPreparer } from './prepare.js';
import type { PrepareOptions, SourceInfo } from './prepare.js';
import { pump } from './pump.js';
import type { ChunkPort, PumpSettings } from './pump.js';

/** What the worker starts with. */
export interface WorkerData extends Omit<PumpSettings, 'keepCells'> {
  readonly options: PrepareOptions;
  /** Read `-` from the worker's stdin, which the main thread feeds. */
  readonly stdin: boolean;
}

export type ToMain =
  | { readonly type: 'ready'; readonly sources: SourceInfo[] }
  | { readonly type: 'chunk'; readonly chunk: Chunk }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: TransferredError };

export type ToWorker = { readonly type: 'credit' } | { readonly type: 'stop' };

/** The preparing stage, seen from the main thread. */
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
 * Inputs up to this many bytes are prepared on the main thread: a worker costs about a tenth of a
 * second to start and load its modules, more than it saves on a small file (a gzipped file counts
 * GZIP_FACTOR times its size; stdin and pipes, whose size is unknown, always get the worker).
 */
const IN_THREAD_MAX_BYTES = 1024 * 1024;
const GZIP_FACTOR = 8;

/** The chunks handed over, waiting for the consumer; ended or failed once the producer says so. */
class ChunkQueue {
  readonly #queue: Chunk[] = [];
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  latestBytes = 0;

  push(chunk: Chunk): void {
    this.#queue.push(chunk);
    this.#settle();
  }

  end(): void {
    this.#ended = true;
    this.#settle();
  }

  fail(error: Error): void {
    this.#failure ??= error;
    this.#settle();
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  #settle(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The chunks in order; `taken` runs as each is taken (a credit back to the producer). */
  async *chunks(taken: () => void): AsyncGenerator<Chunk> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk) {
        this.latestBytes = chunk.bytesRead;
        taken();
        yield chunk;
        continue;
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** Are the inputs small enough to prepare on the main thread (see IN_THREAD_MAX_BYTES)? */
async function smallInputs(files: readonly string[]): Promise<boolean> {
  if (files.includes('-')) return false;
  let bytes = 0;
  for (const file of files) {
    // A file that cannot be stat'ed is refused by the reader in a moment; no thread is needed for that.
    const info = await stat(file).catch(() => undefined);
    if (info && !info.isFile()) return false;
    bytes += (info?.size ?? 0) * (file.toLowerCase().endsWith('.gz') ? GZIP_FACTOR : 1);
  }
  return bytes <= IN_THREAD_MAX_BYTES;
}

/**
 * Starts the preparing stage (read → map → validate → serialise): in a worker thread, so it runs beside
 * the sending on the main thread instead of taking turns with it, or for small inputs on the main thread
 * (same chunks, same flow control). Resolves once every input is open and every header resolved;
 * rejects, with its typed error, when one is not — before any row is read, so a bad file is refused
 * before anything is sent.
 */
export async function startPreparing(options: PrepareOptions, thread: PrepareThreadOptions = {}): Promise<PreparedInput> {
  const settings = { ahead: thread.ahead ?? 4, chunkRows: thread.chunkRows ?? 256, flushMs: 10 };
  return (await smallInputs(options.files)) ? prepareHere(options, settings, thread.stdin) : prepareInWorker(options, settings, thread.stdin);
}

/** The stage on the main thread: the pump writes straight into the queue. */
async function prepareHere(options: PrepareOptions, settings: Omit<PumpSettings, 'keepCells'>, stdin: Readable | undefined): Promise<PreparedInput> {
  const preparer = await openPreparer(options, stdin);
  const queue = new ChunkQueue();
  let credits = settings.ahead;
  let stopped = false;
  let wake: (() => void) | undefined;
  const port: ChunkPort = {
    post: (chunk) => queue.push(chunk),
    credit: () => new Promise<void>((resolve) => (wake = resolve)),
    get credits() {
      return credits;
    },
    get stopped() {
      return stopped;
    },
    spend: () => void credits--,
  };
  const giveCredit = (): void => {
    credits++;
    wake?.();
  };
  const keepCells = options.keepCells || options.stage === 'parse';
  const done = pump(preparer, { ...settings, keepCells }, port).then(
    () => queue.end(),
    (error: unknown) => queue.fail(error as Error),
  );
  return {
    sources: preparer.sources,
    bytesRead: () => queue.latestBytes,
    chunks: () => queue.chunks(giveCredit),
    close: async () => {
      stopped = true;
      wake?.();
      preparer.close();
      await done;
    },
  };
}

/** The stage in a worker thread (worker.ts), chunks coming over postMessage, credits going back. */
async function prepareInWorker(options: PrepareOptions, settings: Omit<PumpSettings, 'keepCells'>, stdinStream: Readable | undefined): Promise<PreparedInput> {
  const usesStdin = options.files.includes('-');
  const data: WorkerData = { options, stdin: usesStdin, ...settings };
  // A smaller young generation than V8's default (48 MB here): the worker's garbage is short-lived rows,
  // and 16 MB costs no measurable speed (8 MB did: a fifth of the thread went to scavenges).
  // Named from dist/ (`../prepare/`), not `./`: the CLI's bundle runs this code from dist/chunks/.
  // Loaded here, not at the top: a small input never starts a thread and never pays for the module.
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(new URL('../prepare/worker.js', import.meta.url), { workerData: data, stdin: usesStdin, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const stdin = usesStdin ? (stdinStream ?? process.stdin) : undefined;
  if (stdin) stdin.pipe(worker.stdin!);

  const queue = new ChunkQueue();
  let ended = false;
  let sources: SourceInfo[] | undefined;
  let resolveReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
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
        queue.end();
        break;
      case 'error':
        queue.fail(fromTransferable(message.error));
        break;
    }
    resolveReady?.();
  });
  worker.on('error', (error) => {
    queue.fail(error);
    resolveReady?.();
  });
  worker.on('exit', (code) => {
    if (!ended) queue.fail(new Error(`the preparing thread stopped unexpectedly (exit code ${code})`));
    resolveReady?.();
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
  if (queue.failure !== undefined || sources === undefined) {
    await close();
    throw queue.failure ?? new Error('the preparing thread ended before opening its inputs');
  }
  const credit = (): void => worker.postMessage({ type: 'credit' } satisfies ToWorker);
  return { sources, bytesRead: () => queue.latestBytes, chunks: () => queue.chunks(credit), close };
}
