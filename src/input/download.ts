/**
 * A remote input's body (http.ts, s3.ts) as the readers take an input: streamed, counted, gunzipped, in
 * whole lines, and ended cleanly where a download breaks off, saying why (OpenedInput.cut).
 */
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { counted } from '../util/plural.js';
import type { Format, OpenedInput } from './source.js';

/**
 * Passes on whole lines only while the download goes on: the bytes after the last line break wait for
 * the next chunk, or for the end. When the download is cut off, what waits is dropped (`endCut()`), so
 * a row cut in half is never read as a shorter row; a CSV line break inside a quoted cell leaves an
 * unclosed quote, which the reader never sends either. A line longer than `hold` bytes is passed on
 * unheld (it is over --max-record-size anyway, and must not fill memory).
 */
class WholeLines extends Transform {
  readonly #hold: number;
  #waiting: Buffer[] = [];
  #waitingBytes = 0;
  #cut = false;
  /** Bytes taken in so far (decompressed, for a gzip download): the ratio behind its progress. */
  taken = 0;

  constructor(hold: number) {
    super({ highWaterMark: 256 * 1024 });
    this.#hold = hold;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.taken += chunk.length;
    const last = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d));
    if (last === -1 && this.#waitingBytes + chunk.length <= this.#hold) {
      this.#waiting.push(chunk);
      this.#waitingBytes += chunk.length;
      callback();
      return;
    }
    const upTo = last === -1 ? chunk.length : last + 1;
    const out = this.#waiting.length === 0 ? chunk.subarray(0, upTo) : Buffer.concat([...this.#waiting, chunk.subarray(0, upTo)]);
    this.#waiting = upTo < chunk.length ? [chunk.subarray(upTo)] : [];
    this.#waitingBytes = chunk.length - upTo;
    callback(null, out);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.#cut && this.#waitingBytes > 0) this.push(Buffer.concat(this.#waiting));
    callback();
  }

  /** The download broke off: end after the whole lines, dropping the part line that waits. */
  endCut(): void {
    this.#cut = true;
    this.end();
  }
}

/** How a remote input is to be read, decided from its name and the options before it is opened. */
export interface RemoteOptions {
  readonly format: Format;
  /** The path ends in `.gz`. */
  readonly gzipByName: boolean;
  /** Extra trusted CA certificates (PEM), `--ca`. */
  readonly ca?: string | undefined;
  /** Longest part line held back while downloading (see WholeLines). */
  readonly hold: number;
}

export interface Download {
  /** The input's name as outputs show it (credentials masked). */
  readonly file: string;
  readonly format: Format;
  /** The body as it arrives: raw bytes (compressed when `gzip`). */
  readonly body: Readable;
  /** Bytes the body will have (Content-Length), for progress and to tell a cut; undefined when not said. */
  readonly size: number | undefined;
  /** The path ends in `.gz`. */
  readonly gzipByName: boolean;
  /** The answer's Content-Encoding, if it said one: `gzip` (or `x-gzip`) is gunzipped too. */
  readonly encoding: string | undefined;
  /** Longest part line held back (see WholeLines). */
  readonly hold: number;
  /** Releases the connection (and its client) once reading stops. */
  readonly release: () => void;
}

/** A Content-Encoding (trimmed, lower case) that says the body is gzip. */
export function isGzipEncoding(encoding: string | undefined): boolean {
  return encoding === 'gzip' || encoding === 'x-gzip';
}

/** One line for a failure while the body was read: its message and code, never a URL. */
function reasonOf(error: unknown): string {
  const err = error as Error & { code?: unknown };
  return `${err.message}${typeof err.code === 'string' ? ` (${err.code})` : ''}`;
}

/**
 * A downloading body as an input, streamed (never held whole): counted as it arrives (progress),
 * gunzipped when it is gzip, passed on in whole lines. A body that breaks off midway (the connection
 * cut, or fewer bytes than announced) ends the stream after the last whole line, and `cut()` says why:
 * the readers then end the input there, and the run stops saying so, as --resume can carry on.
 */
export async function downloadInput(download: Download): Promise<OpenedInput> {
  const { body, size } = download;
  const lines = new WholeLines(download.hold);
  let bytes = 0;
  let cut: string | undefined;
  let closed = false;
  const gzip = download.gzipByName || isGzipEncoding(download.encoding);
  const gunzip = gzip ? (await import('node:zlib')).createGunzip() : undefined;
  const next = gunzip ?? lines;
  const breakOff = (reason: string): void => {
    if (cut !== undefined || closed) return;
    cut = reason;
    body.unpipe(next);
    gunzip?.unpipe(lines);
    gunzip?.destroy();
    lines.endCut();
  };
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  body.on('error', (error) => breakOff(reasonOf(error)));
  body.on('end', () => {
    if (size !== undefined && bytes < size) breakOff(`the connection closed after ${bytes} of ${counted(size, 'byte')}`);
    else next.end();
  });
  // A body destroyed without an error or an end (a connection that just went away) is cut off too.
  body.on('close', () => body.readableEnded || breakOff('the connection closed early'));
  body.pipe(next, { end: false });
  if (gunzip) {
    // A gzip stream that is damaged (not one cut off) fails the read, as a damaged local .gz does.
    gunzip.on('error', (error) => lines.destroy(error));
    gunzip.pipe(lines);
  }
  return {
    file: download.file,
    format: download.format,
    size,
    stream: lines,
    // Gzip: the compressed bytes the decompressor took, as for a local .gz (progress): not those that
    // arrived, which run ahead of the rows by whatever the download holds (it reads ahead of the parser).
    bytesRead: () => (gunzip ? gunzip.bytesWritten : bytes),
    inflated: () => lines.taken,
    decompressed: gzip,
    cut: () => cut,
    close: () => {
      if (closed) return;
      closed = true;
      body.destroy();
      gunzip?.destroy();
      lines.destroy();
      download.release();
    },
  };
}
