import type { Problem } from './report-result.js';

/** The problem rows to show, in the order found, at most `limit` of them; the rest only counted. */
export class Listing {
  readonly problems: Problem[] = [];
  /** Problem rows found past the limit. */
  unlisted = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether another problem would be listed (make it only then), or only counted. */
  get open(): boolean {
    return this.problems.length < this.#limit;
  }

  /** Lists a problem row, or counts it past the limit (`make` is called only when it is listed). */
  add(make: () => Problem): void {
    if (this.open) this.problems.push(make());
    else this.unlisted++;
  }
}
