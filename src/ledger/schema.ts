import { DAY_MS, dayStart, utcDay } from '../util/utc-day.js';

/**
 * The ledger's schema (docs/ledger-design.md). A ledger is a SQLite file that says it is one twice: its
 * header's application_id, and a `meta` table naming bulk-submit. Its user_version is the schema version:
 * a newer one is refused, never read nor written by an older bulk-submit.
 */

/** PRAGMA application_id of every ledger: "BSLG" (a signed 32-bit integer, as SQLite keeps it). */
export const APPLICATION_ID = 0x42534c47;
/**
 * PRAGMA user_version: the schema this bulk-submit writes and reads. 1 (bulk-submit 0.4.0) kept each id
 * as text; 2 (0.4.1) keeps its fingerprint (fingerprint.ts); 3 adds the journal that runs record into and
 * the filter that look-ups ask first. A ledger of an older version is upgraded when opened.
 */
export const SCHEMA_VERSION = 3;
/** How long a statement waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;
/** What the WAL may hold before a writer checkpoints it into the database: 64 MiB (in pages, as SQLite counts). */
export const WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024;
/**
 * The page size of a new ledger: 1 KiB, not SQLite's 4 KiB. Each accepted id is a random key, so it
 * dirties about one page of `accepted`, which the WAL then holds whole and a checkpoint copies: a quarter
 * of the bytes an id. Measured on a 2,000,000-id table (BENCHMARKS.md): recording took 35% less time, and
 * a look-up (a tree one level deeper) about 0.5 µs more. A ledger made with 4 KiB pages keeps them.
 */
export const PAGE_SIZE = 1024;

/**
 * Ids a connection journals before it merges them (merge.ts) without waiting for its end: the larger, the
 * fewer times each page of `accepted` is written, and the longer a merge holds the write lock (about a
 * second for 250,000 ids into 2,000,000; other processes wait up to BUSY_TIMEOUT_MS).
 */
export const JOURNAL_MERGE_IDS = 250_000;
/** Bytes of the filter of a new ledger (id-filter.ts: the smallest it makes). */
export const FILTER_MIN_BYTES = 64 * 1024;

/**
 * `accepted` is what look-ups read, so it is kept small: an id's fingerprint and its day (days since
 * 1970-01-01). `sent` keeps the id itself and the `file:row` that sent it, in the order they came:
 * appended to, never searched, so recording one costs a few bytes at the table's end. A run records an
 * accepted id into `sent` and `journal`, both appended to; the journal is merged into `accepted` in key
 * order, and emptied, at the run's end (merge.ts). `filter` is a Bloom filter of `accepted`'s keys, in
 * parts of 1 MiB, with its count of ids in `meta` ('filter_ids').
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS accepted (
  key INTEGER PRIMARY KEY,
  check_bits INTEGER NOT NULL,
  day INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sent (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key INTEGER NOT NULL,
  check_bits INTEGER NOT NULL,
  day INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS filter (
  part INTEGER PRIMARY KEY,
  bits BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
  host TEXT NOT NULL,
  day TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (host, day)
) WITHOUT ROWID;
`;

/** Run once, in an IMMEDIATE transaction, on a new (or empty) database. */
export const CREATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
${TABLES}
INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', 'bulk-submit');
INSERT OR IGNORE INTO filter (part, bits) VALUES (0, zeroblob(${FILTER_MIN_BYTES}));
INSERT OR IGNORE INTO meta (key, value) VALUES ('filter_ids', '0');
PRAGMA application_id = ${APPLICATION_ID};
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** Version 1's table of ids (event_id TEXT PRIMARY KEY, day TEXT, source TEXT) moves aside before TABLES makes today's. */
export const UPGRADE_FROM_1_BEGIN = 'ALTER TABLE accepted RENAME TO accepted_v1;' + TABLES;
/** Then its rows are copied (upgrade.ts) and it goes. */
export const UPGRADE_FROM_1_END = 'DROP TABLE accepted_v1;';
/** Version 2 lacks `journal` and `filter` (upgrade.ts then makes the filter of its ids). */
export const UPGRADE_FROM_2 = TABLES;

export { utcDay };

/** The UTC day `days` before `day` (0 = `day` itself). */
export function daysBefore(day: string, days: number): string {
  return utcDay(dayStart(day) - days * DAY_MS);
}
