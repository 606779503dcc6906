import { dayNumber } from '../util/utc-day.js';
import { appender } from './append.js';
import { fingerprint } from './fingerprint.js';
import type { AcceptedRow } from './ledger.js';
import { mergeJournal } from './merge.js';
import type { Query, Sql } from './sql.js';

/**
 * A writing connection's side of the journal (docs/ledger-design.md, "Recording accepted ids"): accepted
 * ids are appended to `journal` (their fingerprints and day) and to `sent` (the ids and their senders),
 * one transaction an answer, and merged into `accepted` by `merge`.
 *
 * It also keeps the fingerprints it appended since its last merge, and the `seq` range they took. When the
 * journal holds exactly that range at the merge (no other process appended, nor merged ours), the merge
 * adds those to the filter instead of reading 200,000 rows back (0.3 s of the main thread, measured).
 * `seq` is AUTOINCREMENT, so a range is never reused after a merge empties the table.
 */
export class Journal {
  readonly #db: Sql;
  readonly #journal: (params: readonly unknown[]) => void;
  readonly #sent: (params: readonly unknown[]) => void;
  readonly #lastSeq: Query<[number]>;
  #first = 0;
  #last = 0;
  #count = 0;
  /** hi, lo, check of each id appended since the last merge, while they are one unbroken range of seq. */
  #prints: number[] | undefined = [];

  constructor(db: Sql) {
    this.#db = db;
    // The key made by SQLite of its two halves (the high one signed, the low one not): no BigInt an id.
    this.#journal = appender(db, 'journal (key, check_bits, day)', '((? << 32) | ?, ?, ?)', 4);
    this.#sent = appender(db, 'sent (event_id, source)', '(?, ?)', 2);
    this.#lastSeq = db.prepare('SELECT max(seq) FROM journal');
  }

  /** Ids appended since the last merge. */
  get count(): number {
    return this.#count;
  }

  /** Appends accepted ids, in one transaction. */
  record(rows: readonly AcceptedRow[]): void {
    if (rows.length === 0) return;
    let lastDay = '';
    let lastNumber = 0;
    const dayOf = (day: string): number => (day === lastDay ? lastNumber : ((lastDay = day), (lastNumber = dayNumber(day))));
    const journal: number[] = [];
    const sent: string[] = [];
    for (const row of rows) {
      const print = fingerprint(row.eventId);
      journal.push(print.hi, print.lo >>> 0, print.check, dayOf(row.day));
      sent.push(row.eventId, row.source);
    }
    const last = this.#db.immediate(() => {
      this.#journal(journal);
      this.#sent(sent);
      return this.#lastSeq.get()![0];
    });
    this.#appended(last - rows.length + 1, last, journal);
  }

  /** Merges the whole journal (merge.ts); returns how many ids were new to `accepted`. */
  merge(): number {
    const own = this.#prints && { first: this.#first, last: this.#last, prints: this.#prints };
    const added = mergeJournal(this.#db, own);
    this.#count = 0;
    this.#prints = [];
    return added;
  }

  #appended(first: number, last: number, journal: readonly number[]): void {
    if (this.#count === 0) this.#first = first;
    // Another process appended in between: the merge reads the journal back.
    else if (first !== this.#last + 1) this.#prints = undefined;
    this.#last = last;
    this.#count += last - first + 1;
    const prints = this.#prints;
    if (prints) for (let at = 0; at < journal.length; at += 4) prints.push(journal[at], journal[at + 1] | 0, journal[at + 2]);
  }
}
