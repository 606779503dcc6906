import { BulkError } from '../errors.js';
import { notLedger } from './check-file.js';
import type { FileState } from './check-file.js';
import { openSql } from './sql.js';
import type { Sql } from './sql.js';
import { upgrade } from './upgrade.js';
import { APPLICATION_ID, BUSY_TIMEOUT_MS, CREATE_SCHEMA, SCHEMA_VERSION, PAGE_SIZE, WAL_CHECKPOINT_BYTES } from './schema.js';

/** The bulk-submit that wrote each older schema version. */
const WRITTEN_BY: Readonly<Record<number, string>> = { 1: '0.4.0', 2: '0.4.1' };

/** What a SQLite file says of itself, read without writing. */
interface Found {
  readonly applicationId: number;
  readonly version: number;
  readonly objects: number;
  readonly meta: boolean;
}

/** A database with nothing in it (SQLite's own empty file, or a ledger another process is creating): adopted. */
const isBlank = (found: Found): boolean => found.applicationId === 0 && found.version === 0 && found.objects === 0;

/**
 * Opens the file with SQLite (sql.ts: a driver loaded here and only here, so a run without a ledger never
 * loads one), checks it is a ledger of a schema this bulk-submit knows, and only then writes: WAL mode,
 * and the schema when the file is new. Refusals close the connection, having written nothing.
 */
export async function openDb(file: string, state: FileState, readonly: boolean): Promise<Sql> {
  let db: Sql;
  try {
    db = await openSql(file, { readonly, mustExist: state !== 'missing', timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw notLedger(file, `SQLite cannot open it (${sqliteWhy(error)})`);
  }
  try {
    const found = judge(file, inspect(file, db), readonly);
    const blank = isBlank(found);
    if (!readonly) setUp(file, db, blank);
    if (!blank && found.version < SCHEMA_VERSION) await upgradeOld(file, found.version, readonly ? undefined : db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A ledger of an older schema is upgraded in place (upgrade.ts), even by a run that only reads it, on
 * a connection of its own then: the file must be writable for that once.
 */
async function upgradeOld(file: string, version: number, db: Sql | undefined): Promise<void> {
  let writer = db;
  try {
    writer ??= await openSql(file, { readonly: false, mustExist: true, timeout: BUSY_TIMEOUT_MS });
    if (writer !== db) setUp(file, writer, false);
    upgrade(writer);
  } catch (error) {
    if (error instanceof BulkError) throw error;
    throw notLedger(file, `it is a ledger of an older schema (version ${version}, bulk-submit ${WRITTEN_BY[version] ?? 'before this one'}), which this bulk-submit upgrades in place, and that failed (${sqliteWhy(error)})`);
  } finally {
    if (writer !== db) writer?.close();
  }
}

function sqliteWhy(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `${(error as Error).message}${typeof code === 'string' ? `, ${code}` : ''}`;
}

function inspect(file: string, db: Sql): Found {
  try {
    // One statement, so one snapshot: another process creating the ledger meanwhile is seen before or
    // after its schema's transaction, never half-way (its tables, and not yet its application_id).
    const [applicationId, version, objects, meta] = db
      .prepare<[number, number, number, number]>(
        "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master), (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
      )
      .get()!;
    return { applicationId, version, objects, meta: meta === 1 };
  } catch (error) {
    throw notLedger(file, `SQLite cannot read it (${sqliteWhy(error)})`);
  }
}

/** The file as found, or why it is no ledger this bulk-submit may use. */
function judge(file: string, found: Found, readonly: boolean): Found {
  const refuse = (why: string): BulkError => notLedger(file, why);
  if (isBlank(found)) {
    if (readonly) throw refuse('it is an empty SQLite database, not a ledger yet');
    return found;
  }
  if (found.applicationId !== APPLICATION_ID || !found.meta) {
    throw refuse(`it is a SQLite database, but not a bulk-submit ledger (application_id ${found.applicationId}${found.meta ? '' : ', no meta table'})`);
  }
  if (found.version > SCHEMA_VERSION) throw refuse(`it was written by a newer bulk-submit (schema version ${found.version}; this one knows up to ${SCHEMA_VERSION})`);
  if (found.version < 1) throw refuse(`its schema version is ${found.version}, not one bulk-submit wrote`);
  return found;
}

/** WAL (readers never wait for the writer), NORMAL sync (safe in WAL against a killed process), the schema if new. */
function setUp(file: string, db: Sql, blank: boolean): void {
  // Before anything is written, or it is too late (a file SQLite has written keeps its page size).
  if (blank) db.pragma(`page_size = ${PAGE_SIZE}`);
  if (db.pragma('journal_mode') !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // An answer's ids are random keys: one transaction of 1000 dirties about as many pages, past SQLite's
  // default checkpoint threshold (1000 pages), so every answer paid a checkpoint and its fsyncs (measured
  // in BENCHMARKS.md). The WAL may grow to 64 MiB before a checkpoint instead.
  db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_CHECKPOINT_BYTES / Number(db.pragma('page_size')))}`);
  if (!blank) return;
  // Another process may be creating the same ledger: look again under the write lock.
  db.immediate(() => {
    if (isBlank(judge(file, inspect(file, db), false))) db.exec(CREATE_SCHEMA);
  });
}
