import type BetterSqlite3 from 'better-sqlite3';
import { BulkError } from '../errors.js';
import { notLedger } from './check-file.js';
import type { FileState } from './check-file.js';
import { APPLICATION_ID, BUSY_TIMEOUT_MS, CREATE_SCHEMA, SCHEMA_VERSION, WAL_CHECKPOINT_PAGES } from './schema.js';

export type Db = BetterSqlite3.Database;
export type Statement<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

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
 * Opens the file with better-sqlite3, loaded here and only here (a native module: a run without a
 * ledger never loads it), checks it is a ledger of a schema this bulk-submit knows, and only then
 * writes: WAL mode, and the schema when the file is new. Refusals close the connection, having written nothing.
 */
export async function openDb(file: string, state: FileState, readonly: boolean): Promise<Db> {
  refuseUnsupportedNode();
  const { default: Database } = await import('better-sqlite3');
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: state !== 'missing', timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw notLedger(file, `SQLite cannot open it (${sqliteWhy(error)})`);
  }
  try {
    const blank = isBlank(judge(file, inspect(file, db), readonly));
    if (!readonly) setUp(file, db, blank);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * better-sqlite3 12, the last that builds on Node 20, aborts the process on Node 24 when a statement is
 * garbage-collected (`Assertion failed: (env) != nullptr` in Statement::~Statement): refused before it is
 * loaded, rather than a run killed mid-way. 13 needs Node 22 or later.
 */
function refuseUnsupportedNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) {
    throw new BulkError('BULK_OPTION_INVALID', `--ledger does not run on Node ${process.versions.node} yet: better-sqlite3 12 aborts the process on Node 24; run bulk-submit with Node 20 or 22 for a ledger`);
  }
}

function sqliteWhy(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `${(error as Error).message}${typeof code === 'string' ? `, ${code}` : ''}`;
}

function inspect(file: string, db: Db): Found {
  try {
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_master').pluck().get() ?? 0;
    const meta = db.prepare<[], number>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'").pluck().get() === 1;
    return { applicationId, version, objects, meta };
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
function setUp(file: string, db: Db, blank: boolean): void {
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // An answer's ids are random keys: one transaction of 1000 dirties about as many pages, past SQLite's
  // default checkpoint threshold (1000 pages), so every answer paid a checkpoint and its fsyncs (measured
  // in BENCHMARKS.md). The WAL may grow to 64 MiB before a checkpoint instead.
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  if (!blank) return;
  // Another process may be creating the same ledger: look again under the write lock.
  db.transaction(() => {
    if (isBlank(judge(file, inspect(file, db), false))) db.exec(CREATE_SCHEMA);
  }).immediate();
}
