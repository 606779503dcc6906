import { checkFile } from './check-file.js';
import { openDb } from './open-db.js';
import type { Db, Statement } from './open-db.js';
import { daysBefore, utcDay } from './schema.js';

/** An id the service accepted: the UTC day it did, and the `file:row` that first sent it. */
export interface AcceptedRow {
  readonly eventId: string;
  readonly day: string;
  readonly source: string;
}

/** Requests sent to one endpoint host on one UTC day. */
export interface DayCount {
  readonly host: string;
  readonly day: string;
  readonly count: number;
}

export interface LedgerStats {
  /** Accepted ids held. */
  readonly ids: number;
  /** Requests per host and day, the last 7 UTC days (today included), oldest first. */
  readonly requests: DayCount[];
}

/** Ids looked up per statement: one `IN (…)` of this many parameters (a short last chunk is padded). */
const CHUNK = 500;

type Stmt<P extends unknown[], R = unknown> = Statement<P, R>;

/**
 * The ledger (issue 28, docs/ledger-design.md): a SQLite file, shared by the processes of one machine,
 * of the eventIds the service accepted and of the requests sent per UTC day and endpoint host.
 */
export class Ledger {
  readonly file: string;
  readonly #db: Db;
  #lookUp: Stmt<string[], [string, string]> | undefined;
  readonly #insert: Stmt<[string, string, string]> | undefined;
  readonly #count: Stmt<[string, string, number]> | undefined;
  readonly #take: Stmt<[{ host: string; day: string; limit: number }]> | undefined;

  private constructor(file: string, db: Db) {
    this.file = file;
    this.#db = db;
    if (!db.readonly) {
      this.#insert = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO accepted (event_id, day, source) VALUES (?, ?, ?)');
      this.#count = db.prepare<[string, string, number]>('INSERT INTO requests (host, day, count) VALUES (?, ?, ?) ON CONFLICT (host, day) DO UPDATE SET count = count + excluded.count');
      // One statement, so one write lock: two processes sharing the ledger never both take the last request.
      this.#take = db.prepare<[{ host: string; day: string; limit: number }]>(
        'INSERT INTO requests (host, day, count) SELECT @host, @day, 1 WHERE @limit > 0 ON CONFLICT (host, day) DO UPDATE SET count = count + 1 WHERE count < @limit',
      );
    }
  }

  /**
   * Opens a ledger, creating a missing one. A file that is not a ledger (not SQLite, SQLite but not
   * ours, a newer schema) or that cannot be written (unless `readonly`) is a BULK_LEDGER_INVALID error,
   * thrown before anything is written: the file is left as it was.
   */
  static async open(file: string, options: { readonly?: boolean } = {}): Promise<Ledger> {
    const readonly = options.readonly ?? false;
    const state = await checkFile(file, readonly);
    return new Ledger(file, await openDb(file, state, readonly));
  }

  /** The day each of `eventIds` was accepted, for those the ledger holds. */
  acceptedDays(eventIds: readonly string[]): Map<string, string> {
    const days = new Map<string, string>();
    for (let start = 0; start < eventIds.length; start += CHUNK) {
      const chunk = eventIds.slice(start, start + CHUNK);
      while (chunk.length < CHUNK) chunk.push(chunk[0]);
      for (const [id, day] of this.#lookUpStatement().all(...chunk)) days.set(id, day);
    }
    return days;
  }

  #lookUpStatement(): Stmt<string[], [string, string]> {
    this.#lookUp ??= this.#db.prepare<string[], [string, string]>(`SELECT event_id, day FROM accepted WHERE event_id IN (${Array(CHUNK).fill('?').join(',')})`).raw();
    return this.#lookUp;
  }

  /** Records accepted ids in one transaction; an id already held keeps its first day and sender. Returns how many were new. */
  recordAccepted(rows: readonly AcceptedRow[]): number {
    const insert = this.#writable(this.#insert);
    // In key order: neighbouring ids share B-tree pages, so each page is read and written once.
    const sorted = [...rows].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    return this.#db.transaction(() => sorted.reduce((added, row) => added + insert.run(row.eventId, row.day, row.source).changes, 0)).immediate();
  }

  /** Adds `n` requests sent to `host` on `day`. */
  countRequests(host: string, day: string, n = 1): void {
    this.#writable(this.#count).run(host, day, n);
  }

  /**
   * Counts one request to `host` on `day` if fewer than `limit` are counted: true when it was (the
   * request may go), false when the day's quota is spent. Atomic across the processes sharing the ledger.
   */
  takeRequest(host: string, day: string, limit: number): boolean {
    return this.#writable(this.#take).run({ host, day, limit }).changes === 1;
  }

  /** Requests sent to `host` on `day` (by every process sharing the ledger). */
  requestsOn(host: string, day: string = utcDay()): number {
    return this.#db.prepare<[string, string], number>('SELECT count FROM requests WHERE host = ? AND day = ?').pluck().get(host, day) ?? 0;
  }

  /** Requests per host and day over the last `days` UTC days (today included), oldest first. */
  requestsByDay(days: number, today: string = utcDay()): DayCount[] {
    return this.#db
      .prepare<[string, string], DayCount>('SELECT host, day, count FROM requests WHERE day >= ? AND day <= ? ORDER BY day, host')
      .all(daysBefore(today, days - 1), today);
  }

  /** Ids held, and the requests of the last 7 days. */
  stats(today: string = utcDay()): LedgerStats {
    const ids = this.#db.prepare<[], number>('SELECT count(*) FROM accepted').pluck().get() ?? 0;
    return { ids, requests: this.requestsByDay(7, today) };
  }

  close(): void {
    this.#db.close();
  }

  #writable<S>(statement: S | undefined): S {
    if (statement === undefined) throw new Error(`the ledger ${this.file} was opened read-only`);
    return statement;
  }
}
