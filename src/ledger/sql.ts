import type BetterSqlite3 from 'better-sqlite3';

/**
 * The little the ledger asks of SQLite, over one of two drivers:
 * - better-sqlite3 (12.x) on Node 20 and 22, which have no usable SQLite of their own;
 * - node:sqlite (DatabaseSync) from Node 24 on, where better-sqlite3 12 aborts the process when a
 *   statement is garbage-collected (`Assertion failed: (env) != nullptr`), and 13, which fixes that,
 *   needs Node 22 at least, so it cannot be this package's on Node 20.
 * Both are synchronous and speak to the same file format: a ledger written under one is read under the
 * other. Statements give rows as arrays of their columns; a driver is loaded only when a ledger is opened.
 */
export interface Sql {
  readonly readonly: boolean;
  exec(sql: string): void;
  /** A statement; its rows are arrays of their columns, and with `bigints` its integers are BigInt. */
  prepare<R extends unknown[] = unknown[]>(sql: string, options?: { bigints?: boolean }): Query<R>;
  /** `PRAGMA text`: the first column of its first row (undefined when it gives none). */
  pragma(text: string): unknown;
  /** Runs `work` in a BEGIN IMMEDIATE transaction: committed when it returns, rolled back when it throws. */
  immediate<T>(work: () => T): T;
  /** Runs `work` in a BEGIN (deferred) transaction: its reads see one snapshot of the file. */
  snapshot<T>(work: () => T): T;
  close(): void;
}

export interface Query<R extends unknown[]> {
  /** Runs it; how many rows it changed. */
  run(...params: unknown[]): number;
  get(...params: unknown[]): R | undefined;
  all(...params: unknown[]): R[];
}

export interface OpenSqlOptions {
  readonly readonly: boolean;
  readonly mustExist: boolean;
  /** How long a statement waits for another connection's lock (ms). */
  readonly timeout: number;
}

/** Node 24 on: node:sqlite (see Sql). */
const NODE_SQLITE_FROM_MAJOR = 24;
const NODE_SQLITE: string = 'node:sqlite';

/** Opens `file` with the driver for this Node. */
export async function openSql(file: string, options: OpenSqlOptions): Promise<Sql> {
  return Number(process.versions.node.split('.')[0]) >= NODE_SQLITE_FROM_MAJOR ? openNodeSqlite(file, options) : openBetterSqlite3(file, options);
}

async function openBetterSqlite3(file: string, options: OpenSqlOptions): Promise<Sql> {
  const { default: Database } = await import('better-sqlite3');
  const db: BetterSqlite3.Database = new Database(file, { readonly: options.readonly, fileMustExist: options.mustExist, timeout: options.timeout });
  return {
    readonly: db.readonly,
    exec: (sql) => void db.exec(sql),
    prepare: <R extends unknown[]>(sql: string, shape?: { bigints?: boolean }): Query<R> => {
      const statement = db.prepare<unknown[], R>(sql);
      if (statement.reader) statement.raw(true).safeIntegers(shape?.bigints ?? false);
      return { run: (...params) => statement.run(...params).changes, get: (...params) => statement.get(...params), all: (...params) => statement.all(...params) };
    },
    pragma: (text) => db.pragma(text, { simple: true }),
    immediate: <T>(work: () => T): T => db.transaction(work).immediate(),
    snapshot: <T>(work: () => T): T => db.transaction(work).deferred(),
    close: () => void db.close(),
  };
}

async function openNodeSqlite(file: string, options: OpenSqlOptions): Promise<Sql> {
  // node:sqlite is not in @types/node 20: named by a variable (so that type-checking does not look for
  // its types), and its few members used here typed by hand.
  const { DatabaseSync } = (await import(NODE_SQLITE)) as { DatabaseSync: new (file: string, options: object) => NodeDb };
  if (options.mustExist && !options.readonly) {
    // DatabaseSync has no "must exist": it would make a missing file (readOnly refuses one by itself).
    const { access } = await import('node:fs/promises');
    await access(file);
  }
  const db = new DatabaseSync(file, { readOnly: options.readonly, timeout: options.timeout });
  const prepare = <R extends unknown[]>(sql: string, shape?: { bigints?: boolean }): Query<R> => {
    const statement = db.prepare(sql);
    statement.setReturnArrays(true);
    statement.setReadBigInts(shape?.bigints ?? false);
    return { run: (...params) => Number(statement.run(...params).changes), get: (...params) => statement.get(...params) as R | undefined, all: (...params) => statement.all(...params) as R[] };
  };
  return {
    readonly: options.readonly,
    exec: (sql) => db.exec(sql),
    prepare,
    pragma: (text) => prepare(`PRAGMA ${text}`).get()?.[0],
    immediate: <T>(work: () => T): T => transaction(db, 'BEGIN IMMEDIATE', work),
    snapshot: <T>(work: () => T): T => transaction(db, 'BEGIN', work),
    close: () => db.close(),
  };
}

function transaction<T>(db: NodeDb, begin: string, work: () => T): T {
  db.exec(begin);
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** What of node:sqlite's DatabaseSync and StatementSync the adapter uses. */
interface NodeDb {
  readonly isTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}

interface NodeStatement {
  setReturnArrays(on: boolean): void;
  setReadBigInts(on: boolean): void;
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
