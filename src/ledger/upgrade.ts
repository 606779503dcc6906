import { dayNumber } from '../util/utc-day.js';
import { fingerprint, keyOf } from './fingerprint.js';
import { buildFilter, writeFilter } from './merge.js';
import type { Sql } from './sql.js';
import { SCHEMA_VERSION, UPGRADE_FROM_1_BEGIN, UPGRADE_FROM_1_END, UPGRADE_FROM_2 } from './schema.js';

/** Rows of the old table read, then written, at a time: a driver runs no write while a read is iterating. */
const PAGE = 10_000;

/**
 * Upgrades a ledger of an older schema in place, in one IMMEDIATE transaction: a process killed during
 * it leaves the old ledger whole, and another process opening the same ledger meanwhile waits, then finds
 * the new one.
 * - Version 1 (bulk-submit 0.4.0) kept ids as text: they are copied as fingerprints, with their day, into
 *   `accepted`, and as they are, with their sender, into `sent`.
 * - Version 2 (0.4.1) lacks the journal and the filter: they are made, the filter of every id held.
 */
export function upgrade(db: Sql): void {
  const upgraded = db.immediate(() => {
    const version = Number(db.pragma('user_version'));
    if (version >= SCHEMA_VERSION) return false;
    if (version === 1) fromVersion1(db);
    db.exec(UPGRADE_FROM_2);
    writeFilter(db, ...buildFilter(db));
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return true;
  });
  // The copy went through the WAL (about the size of the ledger): written back into the file now, and
  // the WAL emptied, unless another connection is reading (then the next checkpoint does it). The old
  // table's pages stay in the file, free, and new ids fill them.
  if (upgraded) db.pragma('wal_checkpoint(TRUNCATE)');
}

function fromVersion1(db: Sql): void {
  db.exec(UPGRADE_FROM_1_BEGIN);
  const read = db.prepare<[string, string, string]>(`SELECT event_id, day, source FROM accepted_v1 WHERE event_id > ? ORDER BY event_id LIMIT ${PAGE}`);
  const add = db.prepare('INSERT OR IGNORE INTO accepted (key, check_bits, day) VALUES (?, ?, ?)');
  const keep = db.prepare('INSERT INTO sent (event_id, source) VALUES (?, ?)');
  for (let after = ''; ; ) {
    const rows = read.all(after);
    if (rows.length === 0) break;
    for (const [eventId, day, source] of rows) {
      const print = fingerprint(eventId);
      if (add.run(keyOf(print), print.check, dayNumber(day)) === 1) keep.run(eventId, source);
    }
    after = rows[rows.length - 1][0];
  }
  db.exec(UPGRADE_FROM_1_END);
}
