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
 *
 * The bits are kept as three signed 32-bit numbers, which the look-ups' filter (id-filter.ts) reads
 * without a BigInt; `keyOf` makes the table's key of the first two.
 */
export interface Fingerprint {
  /** Bits 0–31 of the key (its high half), signed. */
  readonly hi: number;
  /** Bits 32–63 of the key (its low half), signed. */
  readonly lo: number;
  /** Bits 64–95: the check, signed. */
  readonly check: number;
}

const GENERATED = /^bs-[0-9a-f]{40}$/;

export function fingerprint(eventId: string): Fingerprint {
  if (GENERATED.test(eventId)) {
    const hex = (from: number): number => Number.parseInt(eventId.slice(from, from + 8), 16) | 0;
    return { hi: hex(3), lo: hex(11), check: hex(19) };
  }
  const digest = crypto.createHash('sha1').update(eventId, 'utf8').digest();
  return { hi: digest.readInt32BE(0), lo: digest.readInt32BE(4), check: digest.readInt32BE(8) };
}

/** The 64-bit key, signed (SQLite's INTEGER PRIMARY KEY). */
export function keyOf(print: Fingerprint): bigint {
  return BigInt.asIntN(64, (BigInt(print.hi) << 32n) | BigInt(print.lo >>> 0));
}
