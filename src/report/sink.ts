import { createWriteStream, writeSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ReportError } from '../errors.js';

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
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  #draining: Promise<void> | undefined;

  private constructor(path: string, stream: WriteStream) {
    this.path = path;
    this.#stream = stream;
    this.#timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.#timer.unref();
  }

  /** Opens (and so checks) the file before anything is sent. */
  static async open(path: string, mode: SinkMode, what = 'report'): Promise<FileSink> {
    const stream = createWriteStream(path, { flags: FLAGS[mode], mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new ReportError(
          'BULK_REPORT_EXISTS',
          `the ${what} file already exists; pass --force to overwrite it or --resume to continue it (nothing was sent)`,
          path,
        );
      }
      throw new ReportError('BULK_REPORT_UNWRITABLE', `cannot write the ${what} file (${code ?? String(error)})`, path);
    }
    return new FileSink(path, stream);
  }

  /** Queues text; returns a promise only when the caller should wait for the disk. */
  write(text: string): Promise<void> | undefined {
    this.#buffer += text;
    return this.#buffer.length >= FLUSH_BYTES ? this.flush() : undefined;
  }

  /** Hands buffered text to the OS; resolves once the stream can take more. */
  flush(): Promise<void> {
    if (this.#buffer !== '' && !this.#closed) {
      const text = this.#buffer;
      this.#buffer = '';
      // One shared wait for 'drain', however many writers are waiting on it.
      if (!this.#stream.write(text)) {
        this.#draining ??= once(this.#stream, 'drain').then(() => {
          this.#draining = undefined;
        });
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
    if (this.#buffer === '' || this.#closed || typeof fd !== 'number') return;
    writeSync(fd, this.#buffer);
    this.#buffer = '';
  }

  /** Flushes and closes; waits until the data is handed to the OS. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.flush();
    this.#closed = true;
    await new Promise<void>((resolve, reject) => this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
