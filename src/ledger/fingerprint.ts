import * as crypto from 'node:crypto';

/**
 * How the ledger keys an eventId: 96 bits of a SHA-1, as a 64-bit integer key and a 32-bit check. An
 * integer key makes the ledger's table a third of the size of one keyed by the id's text (about 20 bytes
 * an id instead of 88), so a page holds four times as many ids, and an answer's ids dirty that many
 * fewer pages (what recording costs: BENCHMARKS.md). A generated id (`bs-` + 40 hex digits) is a SHA-1
 * already and is read as it is; any other id (a column's own, the service's) is hashed.
 *
 * Two ids that share the 96 bits are one to the ledger: the chance is about n·m / 2^96 for a ledger of n
 * ids and m rows looked up (5·10^-15 for twenty million of each). Two that share only the key are two:
 * the second is not recorded (INSERT OR IGNORE keeps the first), so it is sent again when it comes
 * again, and the service's 409 answers it: a request spent, nothing lost.
 */
export interface Fingerprint {
  /** The first 64 bits, signed (SQLite's INTEGER PRIMARY KEY). */
  readonly key: bigint;
  /** The next 32 bits, signed. */
  readonly check: number;
}

const GENERATED = /^bs-[0-9a-f]{40}$/;

export function fingerprint(eventId: string): Fingerprint {
  if (GENERATED.test(eventId)) {
    return { key: BigInt.asIntN(64, BigInt(`0x${eventId.slice(3, 19)}`)), check: Number.parseInt(eventId.slice(19, 27), 16) | 0 };
  }
  const digest = crypto.createHash('sha1').update(eventId, 'utf8').digest();
  return { key: digest.readBigInt64BE(0), check: digest.readInt32BE(8) };
}
