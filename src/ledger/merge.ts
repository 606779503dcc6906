import { keyOf } from './fingerprint.js';
import { filterFits, IdFilter } from './id-filter.js';
import type { Sql } from './sql.js';

/** Bytes of a row of the `filter` table: the filter is kept in parts, so none is a blob of many MiB. */
const PART_BYTES = 1024 * 1024;
/** Rows of `accepted` read at a time when the filter is made again: a driver holds a page's rows in memory. */
const SCAN_ROWS = 100_000;
/** A key's halves (the high one signed, the low one not) and its check, as SQLite reads them out: numbers, no BigInt an id. */
const PRINT_COLUMNS = 'key >> 32, key & 4294967295, check_bits';
const MIN_KEY = -(2n ** 63n);
const MAX_KEY = 2n ** 63n - 1n;

/**
 * Merges the journal into `accepted`, in one IMMEDIATE transaction, and empties it; adds its ids to the
 * filter. Returns how many ids were new to `accepted` (an id journaled twice keeps its first day).
 *
 * Why a journal (docs/ledger-design.md, "Recording accepted ids"): an accepted id is a random key, so
 * inserting it into `accepted` as its answer comes dirties about one page of that table; the journal is
 * appended to instead, and this inserts a run's ids in key order, each page of `accepted` written once
 * for all the ids that fall in it.
 */
export function mergeJournal(db: Sql, own?: OwnRows): number {
  // A filter the merge would outgrow, or one that lacks ids of `accepted` (written by another program), is
  // made again first, in a read snapshot: it reads every id held (about 1.3 s a million), which must not
  // hold the write lock that other processes wait for (BUSY_TIMEOUT_MS).
  const grown = db.snapshot(() => filterToGrow(db));
  return db.immediate(() => {
    const pending = pendingPrints(db, own);
    if (pending.length === 0) return 0;
    // The filter made in the snapshot holds every id held, unless another process merged since.
    const whole = grown !== undefined && countAccepted(db) === grown.ids;
    const added = db.prepare('INSERT OR IGNORE INTO accepted (key, check_bits, day) SELECT key, check_bits, day FROM journal ORDER BY key, seq').run();
    db.exec('DELETE FROM journal');
    const kept = whole ? grown : readFilter(db);
    if (kept === undefined || !kept.filter.fits(kept.ids + added)) {
      // Another process merged between the snapshot and the lock: made again here, the lock held.
      writeFilter(db, ...buildFilter(db));
      return added;
    }
    for (let at = 0; at < pending.length; at += 3) kept.filter.add({ hi: pending[at], lo: pending[at + 1], check: pending[at + 2] });
    writeFilter(db, kept.filter, kept.ids + added);
    return added;
  });
}

/** Read in a snapshot: a new filter of every id held, with room for the journal's, when the one kept would not do; else undefined. */
function filterToGrow(db: Sql): { readonly filter: IdFilter; readonly ids: number } | undefined {
  const [journal, bytes, counted] = db
    .prepare<[number, number | null, string | null]>("SELECT (SELECT count(*) FROM journal), (SELECT sum(length(bits)) FROM filter), (SELECT value FROM meta WHERE key = 'filter_ids')")
    .get()!;
  if (journal === 0) return undefined;
  const held = countAccepted(db);
  if (Number(counted) === held && filterFits(bytes ?? 0, held + journal)) return undefined;
  const [filter, ids] = buildFilter(db, held + journal);
  return { filter, ids };
}

function countAccepted(db: Sql): number {
  return db.prepare<[number]>('SELECT count(*) FROM accepted').get()![0];
}

/** What a connection appended since its last merge (journal.ts): `seq` first to last, and each id's hi, lo and check. */
export interface OwnRows {
  readonly first: number;
  readonly last: number;
  readonly prints: readonly number[];
}

/** The journal's fingerprints, hi, lo and check of each: `own`'s when the journal holds just those rows, else read. */
function pendingPrints(db: Sql, own: OwnRows | undefined): readonly number[] {
  if (own !== undefined) {
    const [first, last, count] = db.prepare<[number | null, number | null, number]>('SELECT min(seq), max(seq), count(*) FROM journal').get()!;
    if (count === 0) return [];
    if (first === own.first && last === own.last && count === own.last - own.first + 1) return own.prints;
  }
  return db.prepare<[number, number, number]>(`SELECT ${PRINT_COLUMNS} FROM journal`).all().flatMap(([hi, lo, check]) => [hi, lo | 0, check]);
}

/** The filter kept in the ledger and the ids counted into it; none when the ledger has none (or a broken one). */
export function readFilter(db: Sql): { readonly filter: IdFilter; readonly ids: number } | undefined {
  const ids = Number(db.prepare<[string]>("SELECT value FROM meta WHERE key = 'filter_ids'").get()?.[0]);
  if (!Number.isSafeInteger(ids)) return undefined;
  const parts = db.prepare<[Uint8Array]>('SELECT bits FROM filter ORDER BY part').all();
  const bytes = new Uint8Array(parts.reduce((sum, [part]) => sum + part.length, 0));
  let at = 0;
  for (const [part] of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  try {
    return { filter: new IdFilter(bytes), ids };
  } catch {
    return undefined; // Not a size a filter has: made again by the next merge; until then look-ups ask the table.
  }
}

/** A filter of every id of `accepted`, sized for them (or for `room` ids, when more), and their count. */
export function buildFilter(db: Sql, room = 0): [IdFilter, number] {
  const ids = countAccepted(db);
  const filter = IdFilter.sizedFor(Math.max(ids, room));
  // The page's last key, to go on from, is made once a page.
  const page = db.prepare<[number, number, number]>(`SELECT ${PRINT_COLUMNS} FROM accepted WHERE key >= ? ORDER BY key LIMIT ${SCAN_ROWS}`);
  for (let from = MIN_KEY; ; ) {
    const rows = page.all(from);
    for (const [hi, lo, check] of rows) filter.add({ hi, lo: lo | 0, check });
    const last = rows.at(-1);
    if (rows.length < SCAN_ROWS || last === undefined) break;
    const key = keyOf({ hi: last[0], lo: last[1] | 0, check: 0 });
    if (key === MAX_KEY) break;
    from = key + 1n;
  }
  return [filter, ids];
}

export function writeFilter(db: Sql, filter: IdFilter, ids: number): void {
  const put = db.prepare('INSERT OR REPLACE INTO filter (part, bits) VALUES (?, ?)');
  const parts = Math.ceil(filter.bytes.length / PART_BYTES);
  const { buffer, byteOffset, length } = filter.bytes;
  // As a Buffer (a view, no copy): what both drivers bind as a BLOB.
  for (let part = 0; part < parts; part++) put.run(part, Buffer.from(buffer, byteOffset + part * PART_BYTES, Math.min(PART_BYTES, length - part * PART_BYTES)));
  db.prepare('DELETE FROM filter WHERE part >= ?').run(parts);
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('filter_ids', ?)").run(String(ids));
}
