import { errorGroup } from '../report/index.js';

/** The key of errors past the most kinds that can be told apart. */
const OTHER = 0xffff;

/** Errors by kind (the rule, not the value), each a small number: a row keeps two bytes, not a string. */
export class ErrorKeys {
  readonly #keys = new Map<string, number>();
  /** Key → the error's kind; key 0 is "no error". */
  readonly #texts: string[] = [''];

  /** The key of an error's kind (0 for none). */
  keyOf(error: string | null): number {
    if (error === null) return 0;
    const group = errorGroup(error);
    let key = this.#keys.get(group);
    if (key === undefined) {
      if (this.#texts.length >= OTHER) return OTHER;
      key = this.#texts.length;
      this.#texts.push(group);
      this.#keys.set(group, key);
    }
    return key;
  }

  /** The error kind a key stands for. */
  textOf(key: number): string {
    return key === OTHER ? `(other errors, past ${OTHER - 1} kinds)` : (this.#texts[key] ?? '');
  }

  /** How many keys there can be: the length of an array indexed by key. */
  get size(): number {
    return OTHER + 1;
  }
}
