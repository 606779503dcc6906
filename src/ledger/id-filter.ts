import type { Fingerprint } from './fingerprint.js';
import { FILTER_MIN_BYTES } from './schema.js';

/** Bytes of a block: one cache line, in which all of an id's bits fall (one memory read a look-up). */
const BLOCK_BYTES = 64;
/** Bits a filter is made with, per id it is made for. */
const BITS_PER_ID = 16;
/** Fewest bits an id it may have: past that it is made again, larger (about 1% false positives there). */
const MIN_BITS_PER_ID = 10;

/**
 * A blocked Bloom filter of the ledger's keys (docs/ledger-design.md, "Where the look-ups run"): `has` is
 * false for an id the ledger does not hold, so such a row needs no B-tree look-up; it is true for every
 * id the ledger holds, and for about 0.1% of the others (1% when full; then the table answers). Six bits
 * an id, all in one 64-byte block: the block is chosen by the key's high half, the bits by 9-bit pieces
 * of its low half and of the check. The fingerprint's bits are a SHA-1's, so they need no hashing again.
 *
 * Written by hand, in 40 lines: `bloom-filters` and `bloomfilter` hash each item's text again (the ids
 * are SHA-1 bits already), spread its bits over the whole array (a cache miss a bit, not one an id), and
 * export as JSON or as words in the machine's byte order, where this keeps plain bytes in the ledger,
 * which read the same on any machine.
 */
export class IdFilter {
  readonly bytes: Uint8Array;
  readonly #blockMask: number;

  constructor(bytes: Uint8Array) {
    if (!isFilterSize(bytes.length)) throw new Error(`a filter of ${bytes.length} bytes: not a power of two of ${BLOCK_BYTES}-byte blocks`);
    const blocks = bytes.length / BLOCK_BYTES;
    this.bytes = bytes;
    this.#blockMask = blocks - 1;
  }

  /** An empty filter for `ids` ids (and as many more before it must be made again). */
  static sizedFor(ids: number): IdFilter {
    let size = FILTER_MIN_BYTES;
    while (size * 8 < ids * BITS_PER_ID) size *= 2;
    return new IdFilter(new Uint8Array(size));
  }

  /** Whether `ids` ids still leave it few false positives; when not, it is made again by `sizedFor`. */
  fits(ids: number): boolean {
    return filterFits(this.bytes.length, ids);
  }

  add(print: Fingerprint): void {
    const base = ((print.hi >>> 0) & this.#blockMask) * BLOCK_BYTES;
    const { lo, check } = print;
    for (const bit of [lo, lo >>> 9, lo >>> 18, check, check >>> 9, check >>> 18]) this.bytes[base + ((bit & 511) >>> 3)] |= 1 << (bit & 7);
  }

  /** False when the id was never added; true when it was, or (rarely) when it was not. */
  has(print: Fingerprint): boolean {
    const base = ((print.hi >>> 0) & this.#blockMask) * BLOCK_BYTES;
    const { lo, check } = print;
    const bytes = this.bytes;
    const set = (bit: number): boolean => (bytes[base + ((bit & 511) >>> 3)] & (1 << (bit & 7))) !== 0;
    return set(lo) && set(lo >>> 9) && set(lo >>> 18) && set(check) && set(check >>> 9) && set(check >>> 18);
  }
}

/** Whether a filter of `bytes` bytes (as kept in a ledger) is one, and leaves `ids` ids few false positives. */
export function filterFits(bytes: number, ids: number): boolean {
  return isFilterSize(bytes) && ids * MIN_BITS_PER_ID <= bytes * 8;
}

function isFilterSize(bytes: number): boolean {
  const blocks = bytes / BLOCK_BYTES;
  return Number.isInteger(blocks) && blocks >= 1 && (blocks & (blocks - 1)) === 0;
}
