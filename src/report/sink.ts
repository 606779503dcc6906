import { createWriteStream, writeSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { BulkError } from '../errors.js';

/** How a sink treats an existing file. */
export type SinkMode = 'create' | 'overwrite' | 'append';

const FLAGS: Record<SinkMode, string> = { create: 'wx', overwrite: 'w', append: 'a' };
const FLUSH_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 1000;

/**
 * A file written in batches: lines collect in memory and go to disk when 64 KiB have gathered, at
 * least once a second, and on close, so a `kill -9` loses at most the last second of lines. `write`
 * returns a promise only when the disk is behind (the stream's buffer is full): the caller awaits it,
 * and that is the backpressure that keeps memory flat with a slow disk.
 * Files are created with mode 0600: reports and rejects hold customer data.
 */
export class FileSink {
  readonly path: string;
  readonly #stream: WriteStream;
  #buffer = '';
  /** What the caller counts in the buffered text (report: rows that were sent), for `lost`. */
  #tally = 0;
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  #draining: Promise<void> | undefined;
  #failed: NodeJS.ErrnoException | undefined;
  #onFailure: ((error: NodeJS.ErrnoException) => void) | undefined;
  /** Tallies of text that never reached the file: written after a failure, or in a write that failed. */
  lost = 0;
  /** Every tally written, reached the file or not. */
  tallied = 0;
  /** Where this sink began writing: the file's size when it was opened to append, else 0. */
  readonly startedAt: number;

  private constructor(path: string, stream: WriteStream, startedAt: number) {
    this.path = path;
    this.#stream = stream;
    this.startedAt = startedAt;
    this.#timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.#timer.unref();
    // A write that fails (disk full, quota) fails every later one: the stream is destroyed. Remember why,
    // tell the run once, and from then on only count what is lost, so the run can say what to do.
    stream.on('error', (error: NodeJS.ErrnoException) => this.#fail(error));
  }

  /** The first failure; the write's own callback hears of it before the stream's 'error' (and its end). */
  #fail(error: NodeJS.ErrnoException): void {
    if (this.#failed) return;
    this.#failed = error;
    clearInterval(this.#timer);
    this.#onFailure?.(error);
  }

  /** Why writing failed, if it did: `ENOSPC: no space left on device`. */
  get failure(): string | undefined {
    return this.#failed ? this.#failed.message.replace(/, \w+( '.*')?$/, '') : undefined;
  }

  /** Calls `callback` once, when a write fails. */
  onFailure(callback: (error: NodeJS.ErrnoException) => void): void {
    this.#onFailure = callback;
  }

  /** Opens (and so checks) the file before anything is sent. */
  static async open(path: string, mode: SinkMode, what = 'report'): Promise<FileSink> {
    const stream = createWriteStream(path, { flags: FLAGS[mode], mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new BulkError('BULK_REPORT_EXISTS', `the ${what} file already exists; pass --force to overwrite it or --resume to continue it (nothing was sent)`, { file: path });
      }
      throw new BulkError('BULK_REPORT_UNWRITABLE', `cannot write the ${what} file (${code ?? String(error)})`, { file: path });
    }
    return new FileSink(path, stream, mode === 'append' ? (await stat(path)).size : 0);
  }

  /** Queues text (`tally`: what it counts for `lost`); returns a promise only when the caller should wait for the disk. */
  write(text: string, tally = 0): Promise<void> | undefined {
    this.tallied += tally;
    if (this.#failed) {
      this.lost += tally;
      return undefined;
    }
    this.#buffer += text;
    this.#tally += tally;
    return this.#buffer.length >= FLUSH_BYTES ? this.flush() : undefined;
  }

  /** Hands buffered text to the OS; resolves once the stream can take more. */
  flush(): Promise<void> {
    if (this.#failed) {
      this.lost += this.#tally;
      this.#buffer = '';
      this.#tally = 0;
      return Promise.resolve();
    }
    if (this.#buffer !== '' && !this.#closed) {
      const text = this.#buffer;
      const tally = this.#tally;
      this.#buffer = '';
      this.#tally = 0;
      const written = (error?: Error | null): void => {
        if (!error) return;
        this.lost += tally;
        this.#fail(error);
      };
      // One shared wait for 'drain', however many writers are waiting on it; a failed stream never drains.
      if (!this.#stream.write(text, written)) {
        this.#draining ??= once(this.#stream, 'drain').then(
          () => {
            this.#draining = undefined;
          },
          () => undefined,
        );
      }
    }
    return this.#draining ?? Promise.resolve();
  }

  /**
   * For a process about to exit at once (a second Ctrl-C): writes what is buffered synchronously.
   * Every buffered chunk holds whole lines and each write(2) lands whole, so the file stays line-clean.
   */
  flushSync(): void {
    // fs.WriteStream has had `fd` since Node 0.x; @types/node 20 does not declare it.
    const fd = (this.#stream as WriteStream & { fd?: number | null }).fd;
    if (this.#buffer === '' || this.#closed || this.#failed || typeof fd !== 'number') return;
    try {
      writeSync(fd, this.#buffer);
    } catch {
      this.lost += this.#tally;
    }
    this.#buffer = '';
    this.#tally = 0;
  }

  /** Flushes and closes; waits until the data is handed to the OS. A failed write was reported by onFailure, not here. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.flush();
    this.#closed = true;
    if (this.#failed) return;
    await new Promise<void>((resolve) => this.#stream.end(() => resolve()));
  }
}
