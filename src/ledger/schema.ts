import { utcDay } from '../util/utc-day.js';

/**
 * The ledger's schema (docs/ledger-design.md). A ledger is a SQLite file that says it is one twice: its
 * header's application_id, and a `meta` table naming bulk-submit. Its user_version is the schema version:
 * a newer one is refused, never read nor written by an older bulk-submit.
 */

/** PRAGMA application_id of every ledger: "BSLG" (a signed 32-bit integer, as SQLite keeps it). */
export const APPLICATION_ID = 0x42534c47;
/** PRAGMA user_version: the schema this bulk-submit writes and reads. */
export const SCHEMA_VERSION = 1;
/** How long a statement waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;
/** Pages (4 KiB) the WAL may hold before a writer checkpoints it into the database: 64 MiB. */
export const WAL_CHECKPOINT_PAGES = 16_384;

/** Run once, in an IMMEDIATE transaction, on a new (or empty) database. */
export const CREATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accepted (
  event_id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  source TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
  host TEXT NOT NULL,
  day TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (host, day)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', 'bulk-submit');
PRAGMA application_id = ${APPLICATION_ID};
PRAGMA user_version = ${SCHEMA_VERSION};
`;

export { utcDay };

/** The UTC day `days` before `day` (0 = `day` itself). */
export function daysBefore(day: string, days: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000);
}
