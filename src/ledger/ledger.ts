import { BulkError, describeError } from '../errors.js';
import { checkFile } from './check-file.js';
import { openDb } from './open-db.js';
import type { Query, Sql } from './sql.js';
import { dayText } from '../util/utc-day.js';
import { fingerprint, keyOf } from './fingerprint.js';
import type { IdFilter } from './id-filter.js';
import { Journal } from './journal.js';
import { readFilter } from './merge.js';
import { daysBefore, JOURNAL_MERGE_IDS, utcDay } from './schema.js';

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

/** What a connection's look-ups read once, at the first: the filter, and the journal's ids not merged yet. */
interface LookUps {
  readonly filter: IdFilter | undefined;
  readonly pending: ReadonlyMap<bigint, { readonly check: number; readonly day: number }>;
}

/**
 * The ledger (issue 28, docs/ledger-design.md): a SQLite file, shared by the processes of one machine,
 * of the eventIds the service accepted and of the requests sent per UTC day and endpoint host.
 */
export class Ledger {
  readonly file: string;
  readonly #db: Sql;
  #lookUp: Query<[bigint, bigint, bigint]> | undefined;
  #lookUps: LookUps | undefined;
  readonly #journal: Journal | undefined;
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
      this.#journal = new Journal(db);
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
    const ledger = new Ledger(file, await openDb(file, state, readonly));
    if (readonly) return ledger;
    try {
      // What a run killed before its end left in the journal is merged now, before anything is looked up.
      ledger.merge();
      return ledger;
    } catch (error) {
      ledger.close();
      throw new BulkError('BULK_LEDGER_WRITE', `cannot merge the journal of the ledger ${file} (${describeError(error)}); nothing was sent: fix that, then run again`, { cause: error });
    }
  }

  /**
   * The day each of `eventIds` was accepted, for those the ledger holds (or its journal: a run going on,
   * or one killed, whose ids are not merged yet). The filter and the journal are read at the first call:
   * ids accepted after it (by another process sharing the ledger) are not found, and are sent again.
   */
  acceptedDays(eventIds: readonly string[]): Map<string, string> {
    const days = new Map<string, string>();
    const { filter, pending } = (this.#lookUps ??= this.#readLookUps());
    // By fingerprint (fingerprint.ts): an id is held when its key and its check both are.
    const wanted = new Map<bigint, { readonly id: string; readonly check: number }[]>();
    for (const id of eventIds) {
      const print = fingerprint(id);
      const journaled = pending.size === 0 ? undefined : pending.get(keyOf(print));
      if (journaled !== undefined && journaled.check === print.check) {
        days.set(id, dayText(journaled.day));
        continue;
      }
      // Most rows of a run are new: the filter says so without a look-up in the table.
      if (filter !== undefined && !filter.has(print)) continue;
      const key = keyOf(print);
      const check = print.check;
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

  #readLookUps(): LookUps {
    return this.#db.snapshot(() => {
      const journal = this.#db.prepare<[bigint, bigint, bigint]>('SELECT key, check_bits, day FROM journal', { bigints: true }).all();
      return { filter: readFilter(this.#db)?.filter, pending: new Map(journal.map(([key, check, day]) => [key, { check: Number(check), day: Number(day) }])) };
    });
  }

  #lookUpStatement(): Query<[bigint, bigint, bigint]> {
    this.#lookUp ??= this.#db.prepare<[bigint, bigint, bigint]>(`SELECT key, check_bits, day FROM accepted WHERE key IN (${Array(CHUNK).fill('?').join(',')})`, { bigints: true });
    return this.#lookUp;
  }

  /**
   * Records accepted ids in one transaction, appended to the journal and to `sent`: a few bytes at each
   * table's end. They are held (looked up by other connections) once `merge` has merged them, which this
   * does itself every JOURNAL_MERGE_IDS ids.
   */
  recordAccepted(rows: readonly AcceptedRow[]): void {
    const journal = this.#writable(this.#journal);
    journal.record(rows);
    // A long run (or import) does not wait for its end: the journal, and a merge's time, stay bounded.
    if (journal.count >= JOURNAL_MERGE_IDS) this.merge();
  }

  /** Ids this connection recorded since its last merge. */
  get journaled(): number {
    return this.#journal?.count ?? 0;
  }

  /**
   * Merges the journal (every process's) into the ids held, and empties it (merge.ts); an id already held
   * keeps its first day. Returns how many ids were new.
   */
  merge(): number {
    const added = this.#writable(this.#journal).merge();
    // Look-ups on this connection read the filter and the journal again, as they are now.
    this.#lookUps = undefined;
    return added;
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
    // The journal's ids count as held too, each once.
    const ids = this.#db.prepare<[number]>('SELECT (SELECT count(*) FROM accepted) + (SELECT count(DISTINCT key) FROM journal AS j WHERE NOT EXISTS (SELECT 1 FROM accepted AS a WHERE a.key = j.key))').get()?.[0] ?? 0;
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
