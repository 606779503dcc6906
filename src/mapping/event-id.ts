import * as crypto from 'node:crypto';

// crypto.hash() (Node 20.12+, one call, no Hash object) is several times cheaper than
// createHash().update().digest() for short input, and gives the same digest; @types/node 20 does not
// declare it yet.
const oneShot = (crypto as typeof crypto & { hash?: (algorithm: string, data: string) => string }).hash;
const sha1 = oneShot ? (data: string): string => oneShot('sha1', data) : (data: string): string => crypto.createHash('sha1').update(data).digest('hex');

/**
 * How a row that has no eventId of its own gets one (--event-ids):
 * - `content`: from what the record says: the same record has the same id in any file, line, shard or
 *   night, so the service's 409 keeps it stored once; a changed record is a new event;
 * - `position`: from the row's position and record (bulk-submit before 0.2): identical rows at two
 *   places are two events;
 * - `service`: none; the service makes one (no batches: results cannot be matched without an id).
 */
export type EventIdRule = 'content' | 'position' | 'service';

/** The SHA-1 of a row's position and record (40 hex digits): its eventId and digest under the position rule (and in every report before content ids). */
export function rowHash(row: number, recordJson: string): string {
  return sha1(`${row}\n${recordJson}`);
}

/**
 * The SHA-1 of what a record says (40 hex digits): its scope (the record kind, or a custom --path) and
 * the record as mapped, before a generated eventId. Its position plays no part.
 */
export function contentHash(scope: string, recordJson: string): string {
  return sha1(`${scope}\n${recordJson}`);
}

/**
 * A generated eventId: `bs-` + 40 hex digits of a hash (rowHash or contentHash), so a retry, a re-run
 * and (content) another file all send the same id and the service's 409 turns a re-send into "already
 * stored". Matches the API's `[a-zA-Z0-9\-_]+`, ≤ 256 chars.
 */
export function generateEventId(hash: string): string {
  return `bs-${hash}`;
}

/** Hex digits of the hash a report line keeps as the row's digest: 64 bits, to check a resumed input. */
export const DIGEST_LENGTH = 16;

/**
 * The row's digest under the position rule, as every report before content ids kept it: the first 64
 * bits of rowHash. `--resume` skips a row only when the input's row at that position has the same digest.
 */
export function digestOf(hash: string): string {
  return hash.slice(0, DIGEST_LENGTH);
}

// Hex digits to numbers and back by table: on every row sent, Number.parseInt(slice, 16) and
// toString(16).padStart(8, '0') cost ten times as much (measured: about 1 µs a row for both, against 0.2).
const DIGIT_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) DIGIT_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
const DIGIT_CODE = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** 32 bits of a lower-case hex hash, from its character `from` on. */
function hex32(hash: string, from: number): number {
  let n = 0;
  for (let k = from; k < from + 8; k++) n = n * 16 + DIGIT_VALUE[hash.charCodeAt(k)];
  return n;
}

/** The first or second 32 bits of a hash (hex), unsigned: `high` and `low`, a record's key in the run's table of records seen. */
export const hashHigh = (hash: string): number => hex32(hash, 0);
export const hashLow = (hash: string): number => hex32(hash, 8);

/** The hex digit of `n`'s 4 bits from `shift` on, as a character code. */
const digit = (n: number, shift: number): number => DIGIT_CODE[(n >>> shift) & 15];

/** Two 32-bit numbers as 16 hex digits, made flat at once (joining pieces would keep a tree of them per row until it is read). */
function hex16(a: number, b: number): string {
  // prettier-ignore
  return String.fromCharCode(
    digit(a, 28), digit(a, 24), digit(a, 20), digit(a, 16), digit(a, 12), digit(a, 8), digit(a, 4), digit(a, 0),
    digit(b, 28), digit(b, 24), digit(b, 20), digit(b, 16), digit(b, 12), digit(b, 8), digit(b, 4), digit(b, 0),
  );
}

/**
 * The row's digest under content ids, still its position and its record: the first 64 bits of its
 * contentHash (`high`, `low`) mixed with its row number, in place of a second SHA-1 over the record. For
 * a given row the mix is a bijection (the row is XORed in, then two Feistel rounds), so the digest
 * changes exactly when those 64 bits of the record's hash do; and the same record at two positions has
 * two digests.
 */
export function positionedDigest(high: number, low: number, row: number): string {
  let a = (high ^ Math.imul(row, 0x9e3779b1)) >>> 0;
  let b = (low ^ Math.imul(row ^ 0x5bd1e995, 0x85ebca6b)) >>> 0;
  a = (a ^ Math.imul(b ^ (b >>> 16), 0x7feb352d)) >>> 0;
  b = (b ^ Math.imul(a ^ (a >>> 15), 0x846ca68b)) >>> 0;
  return hex16(a, b);
}
