import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
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
