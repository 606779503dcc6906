import { checkFile } from './check-file.js';
import { openDb } from './open-db.js';
import type { Query, Sql } from './sql.js';
import { dayNumber, dayText } from '../util/utc-day.js';
import { fingerprint } from './fingerprint.js';
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

/**
 * The ledger (issue 28, docs/ledger-design.md): a SQLite file, shared by the processes of one machine,
 * of the eventIds the service accepted and of the requests sent per UTC day and endpoint host.
 */
export class Ledger {
  readonly file: string;
  readonly #db: Sql;
  #lookUp: Query<[bigint, bigint, bigint]> | undefined;
  readonly #insert: Query<[]> | undefined;
  readonly #keep: Query<[]> | undefined;
  readonly #count: Query<[]> | undefined;
  readonly #take: Query<[]> | undefined;

  readonly #requestsOn: Query<[number]>;
  readonly #byDay: Query<[string, string, number]>;

  private constructor(file: string, db: Sql) {
    this.file = file;
    this.#db = db;
    this.#requestsOn = db.prepare('SELECT count FROM requests WHERE host = ? AND day = ?');
    this.#byDay = db.prepare('SELECT host, day, count FROM requests WHERE day >= ? AND day <= ? ORDER BY day, host');
    if (!db.readonly) {
      this.#insert = db.prepare('INSERT OR IGNORE INTO accepted (key, check_bits, day) VALUES (?, ?, ?)');
      this.#keep = db.prepare('INSERT INTO sent (event_id, source) VALUES (?, ?)');
      this.#count = db.prepare('INSERT INTO requests (host, day, count) VALUES (?, ?, ?) ON CONFLICT (host, day) DO UPDATE SET count = count + excluded.count');
      // One statement, so one write lock: two processes sharing the ledger never both take the last request.
      this.#take = db.prepare('INSERT INTO requests (host, day, count) SELECT ?, ?, 1 WHERE ? > 0 ON CONFLICT (host, day) DO UPDATE SET count = count + 1 WHERE count < ?');
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
    // By fingerprint (fingerprint.ts): an id is held when its key and its check both are.
    const wanted = new Map<bigint, { readonly id: string; readonly check: number }[]>();
    for (const id of eventIds) {
      const { key, check } = fingerprint(id);
      const same = wanted.get(key);
      if (same) same.push({ id, check });
      else wanted.set(key, [{ id, check }]);
    }
    const keys = [...wanted.keys()];
    for (let start = 0; start < keys.length; start += CHUNK) {
      const chunk = keys.slice(start, start + CHUNK);
      while (chunk.length < CHUNK) chunk.push(chunk[0]);
      for (const [key, check, day] of this.#lookUpStatement().all(...chunk)) {
        for (const one of wanted.get(key) ?? []) if (BigInt(one.check) === check) days.set(one.id, dayText(Number(day)));
      }
    }
    return days;
  }

  #lookUpStatement(): Query<[bigint, bigint, bigint]> {
    this.#lookUp ??= this.#db.prepare<[bigint, bigint, bigint]>(`SELECT key, check_bits, day FROM accepted WHERE key IN (${Array(CHUNK).fill('?').join(',')})`, { bigints: true });
    return this.#lookUp;
  }

  /**
   * Records accepted ids in one transaction; an id already held keeps its first day and sender. Returns
   * how many were new. Each costs a random key in `accepted` (a page touched) and a few bytes at the end
   * of `sent`.
   */
  recordAccepted(rows: readonly AcceptedRow[]): number {
    const insert = this.#writable(this.#insert);
    const keep = this.#writable(this.#keep);
    // In key order: neighbouring keys share B-tree pages, so each page is read and written once.
    const keyed = rows.map((row) => ({ row, print: fingerprint(row.eventId) })).sort((a, b) => (a.print.key < b.print.key ? -1 : a.print.key > b.print.key ? 1 : 0));
    let lastDay = '';
    let lastNumber = 0;
    const dayOf = (day: string): number => (day === lastDay ? lastNumber : ((lastDay = day), (lastNumber = dayNumber(day))));
    return this.#db.immediate(() => {
      let added = 0;
      for (const { row, print } of keyed) {
        if (insert.run(print.key, print.check, dayOf(row.day)) === 0) continue;
        keep.run(row.eventId, row.source);
        added++;
      }
      return added;
    });
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
    return this.#writable(this.#take).run(host, day, limit, limit) === 1;
  }

  /** Requests sent to `host` on `day` (by every process sharing the ledger). */
  requestsOn(host: string, day: string = utcDay()): number {
    return this.#requestsOn.get(host, day)?.[0] ?? 0;
  }

  /** Requests per host and day over the last `days` UTC days (today included), oldest first. */
  requestsByDay(days: number, today: string = utcDay()): DayCount[] {
    return this.#byDay.all(daysBefore(today, days - 1), today).map(([host, day, count]) => ({ host, day, count }));
  }

  /** Ids held, and the requests of the last 7 days. */
  stats(today: string = utcDay()): LedgerStats {
    const ids = this.#db.prepare<[number]>('SELECT count(*) FROM accepted').get()?.[0] ?? 0;
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
