import { errorKeys } from '../report/index.js';
import type { RowStatus } from '../report/index.js';

/** The key of errors past the most kinds that can be told apart. */
const OTHER = 0xffff;

/**
 * Errors by kind, each a small number: a row keeps two bytes, not a string. A kind is what a row's error
 * counts for among the top errors (errorKeys: an invalid row's rules, one per violation; a rejected or
 * failed row's error, as one), so a kind may stand for several entries of the top errors.
 */
export class ErrorKeys {
  /** A kind (its entries, as JSON) → its key. */
  readonly #keys = new Map<string, number>();
  /** Key → the entries (indexes into #entries) its rows count for; key 0 is "no error". */
  readonly #kinds: number[][] = [[]];
  /** Entry → its text, the first seen first; and text → entry. */
  readonly #entries: string[] = [];
  readonly #entryOf = new Map<string, number>();

  /** The key of an error's kind (0 for none); `status` says how the error is counted (errorKeys). */
  keyOf(status: RowStatus, error: string | null): number {
    if (error === null) return 0;
    const entries = errorKeys(status, error);
    const kind = JSON.stringify(entries);
    let key = this.#keys.get(kind);
    if (key === undefined) {
      if (this.#kinds.length >= OTHER) return OTHER;
      key = this.#kinds.length;
      this.#kinds.push(entries.map((text) => this.#entry(text)));
      this.#keys.set(kind, key);
    }
    return key;
  }

  /**
   * The entries of the top errors, counted from the rows of each key (`counts[key]`): a row adds one to
   * each entry its error counts for. In the order first seen, with each entry's count.
   */
  entries(counts: Float64Array): { error: string; count: number }[] {
    const byEntry = new Float64Array(this.#entries.length);
    let other = 0;
    counts.forEach((count, key) => {
      if (count === 0 || key === 0) return;
      if (key === OTHER) other += count;
      else for (const entry of this.#kinds[key]) byEntry[entry] += count;
    });
    const found = this.#entries.map((error, entry) => ({ error, count: byEntry[entry] }));
    if (other > 0) found.push({ error: `(other errors, past ${OTHER - 1} kinds)`, count: other });
    return found.filter((entry) => entry.count > 0);
  }

  /** How many keys there can be: the length of an array indexed by key. */
  get size(): number {
    return OTHER + 1;
  }

  #entry(text: string): number {
    let entry = this.#entryOf.get(text);
    if (entry === undefined) {
      entry = this.#entries.length;
      this.#entries.push(text);
      this.#entryOf.set(text, entry);
    }
    return entry;
  }
}
