import * as crypto from 'node:crypto';

// crypto.hash() (Node 20.12+, one call, no Hash object) is several times cheaper than
// createHash().update().digest() for short input, and gives the same digest; @types/node 20 does not
// declare it yet.
const oneShot = (crypto as typeof crypto & { hash?: (algorithm: string, data: string) => string }).hash;
const sha1 = oneShot ? (data: string): string => oneShot('sha1', data) : (data: string): string => crypto.createHash('sha1').update(data).digest('hex');

/** The SHA-1 of a row's position and record (40 hex digits): what its generated eventId and digest are made of. */
export function rowHash(row: number, recordJson: string): string {
  return sha1(`${row}\n${recordJson}`);
}

/**
 * A deterministic eventId for a row that has none: the same row (content and position) gets the same
 * id on every retry and every re-run, so the service's 409 turns a re-send into "already stored"
 * instead of a duplicate. `bs-` + 40 hex digits matches the API's `[a-zA-Z0-9\-_]+`, ≤ 256 chars.
 */
export function generateEventId(row: number, recordJson: string, hash = rowHash(row, recordJson)): string {
  return `bs-${hash}`;
}

/** Hex digits of the hash a report line keeps as the row's digest: 64 bits, to check a resumed input. */
export const DIGEST_LENGTH = 16;

/**
 * The row's digest, as the report keeps it: the first 64 bits of its hash (position and record as
 * mapped). `--resume` skips a row only when the input's row at that position has the same digest.
 */
export function digestOf(hash: string): string {
  return hash.slice(0, DIGEST_LENGTH);
}
