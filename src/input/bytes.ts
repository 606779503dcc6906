import { isUtf8 } from 'node:buffer';
import { Readable, Transform } from 'node:stream';
import { BulkError } from '../errors.js';
import type { OpenedInput, SourceRow } from './types.js';
import type { TransformCallback } from 'node:stream';

/** Offset of the first byte that breaks UTF-8 in `bytes`, or -1. Only called once isUtf8() said no. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (i + need >= bytes.length && need > 0) return i; // cut short
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    // Overlong and surrogate forms (E0 80–9F, ED A0–BF, F0 80–8F, F4 90–BF) are invalid too.
    const next = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && next < 0xa0) || (b === 0xed && next > 0x9f) || (b === 0xf0 && next < 0x90) || (b === 0xf4 && next > 0x8f)) return i;
    i += need + 1;
  }
  return -1;
}

/** Bytes at the end of `chunk` that start a multi-byte character the next chunk finishes. */
function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const b = chunk[chunk.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Passes bytes through unchanged while noting where UTF-8 breaks, so the reader can mark exactly the
 * rows that hold bad bytes instead of letting the decoder turn them silently into U+FFFD. isUtf8() is
 * a SIMD check, so clean input costs almost nothing; only a dirty chunk is scanned byte by byte.
 */
export class Utf8Guard extends Transform {
  /** Absolute offsets of invalid bytes not yet claimed by a row, in order. */
  readonly invalid: number[] = [];
  #offset = 0;
  #carry: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    const start = this.#offset - this.#carry.length;
    const tail = incompleteTail(bytes);
    const checked = tail > 0 ? bytes.subarray(0, bytes.length - tail) : bytes;
    if (!isUtf8(checked)) this.#scan(checked, start);
    this.#carry = tail > 0 ? Buffer.from(bytes.subarray(bytes.length - tail)) : Buffer.alloc(0);
    this.#offset += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#carry.length > 0) this.invalid.push(this.#offset - this.#carry.length);
    callback();
  }

  #scan(bytes: Buffer, start: number): void {
    let from = 0;
    while (from < bytes.length) {
      const at = firstInvalidUtf8(bytes.subarray(from));
      if (at < 0) return;
      this.invalid.push(start + from + at);
      from += at + 1;
    }
  }

  /** The first invalid offset in [from, to), dropping every offset before `to`; -1 when none. */
  claim(from: number, to: number): number {
    let found = -1;
    while (this.invalid.length > 0 && this.invalid[0] < to) {
      const offset = this.invalid.shift()!;
      if (found < 0 && offset >= from) found = offset;
    }
    return found;
  }
}

/**
 * Reads the first chunk of a stream to look at the start of a file, and returns a stream that yields
 * that chunk and then the rest (not `unshift()`, which misbehaves on a stream that has already ended).
 */
async function peek(stream: Readable): Promise<{ start: Buffer; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const start = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield start;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { start, stream: Readable.from(all(), { objectMode: false }) };
}

/** A UTF-16 byte-order mark: such a file must be converted before it can be read. */
function isUtf16(start: Buffer): boolean {
  return start.length >= 2 && ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff));
}

/**
 * Picks the CSV delimiter from the header line: whichever of `,` `;` tab `|` occurs most often outside
 * quotes (a tie, or none at all, means `,`).
 */
export function detectDelimiter(start: Buffer): string {
  const text = start.subarray(0, Math.min(start.length, 64 * 1024)).toString('latin1');
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [char, count] of counts) if (count > counts.get(best)!) best = char;
  return best;
}

/**
 * The row that ends an input whose download broke off (OpenedInput.cut) before row `row`: no row, only
 * where and why, for the run to stop there. Undefined when the input was not cut.
 */
export function cutRow(input: OpenedInput, line: number, row: number): SourceRow | undefined {
  const reason = input.cut?.();
  if (reason === undefined) return undefined;
  return { file: input.file, line, row, cut: `${input.file}: the input was cut at row ${row}: the download broke off (${reason}) after ${row - 1} whole rows, which were read` };
}

/**
 * Starts reading an input: its first bytes (for format checks) and a stream of all of it. A UTF-16
 * file is refused here, before anything is sent.
 */
export async function openBytes(input: OpenedInput): Promise<{ start: Buffer; stream: Readable }> {
  let peeked: { start: Buffer; stream: Readable };
  try {
    peeked = await peek(input.stream);
  } catch (error) {
    input.close();
    throw new BulkError('BULK_FILE_UNREADABLE', `cannot read the file: ${(error as Error).message}`, { file: input.file, line: undefined, cause: error });
  }
  if (isUtf16(peeked.start)) {
    input.close();
    throw new BulkError('BULK_FILE_ENCODING', 'the file is UTF-16 (it starts with a UTF-16 byte-order mark): convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8', { file: input.file });
  }
  return peeked;
}
