/**
 * What the preparing stage hands over: rows ready to send, in request bodies built once, and rows it
 * finished itself (invalid, valid for validate, or dropped by --transform). Everything a parcel holds is
 * in four buffers, transferred between threads (not copied: see transferables()), and the bodies go from
 * `data` to the socket as they are. The sending side keeps a parcel until its requests are done.
 *
 * The layout, for a parcel of `n` rows, `b` bodies and `s` sent rows (the first `s` rows are the sent
 * ones, in body order; the rest finished here):
 *
 * | where                    | what                                                                     |
 * |--------------------------|--------------------------------------------------------------------------|
 * | `data[0, bodyEnds[b-1])` | the bodies back to back: a record (`{…}`) each, or `{"items":[…,…]}`     |
 * | `bodyEnds[k]`            | where body k ends in `data`; `sizes[k]` is how many rows it carries      |
 * | `itemEnds[i]`, i < s     | where sent row i's item ends in `data` (a subset re-sent by slicing)     |
 * | `data[textStart, …)`     | each row's texts in UTF-8, row after row: eventId, digest, error         |
 * | `rows.textEnds[3i + k]`  | where text k (0 eventId, 1 digest, 2 error) of row i ends in `data`; it  |
 * |                          | starts where the one before it ends (the first at `textStart`)           |
 * | `rows.numbers[3i + k]`   | row i's file (index into the stage's sources), physical line, row number |
 * | `rows.flags[i]`          | bit k set (k = 0, 1, 2): text k is null; bit 3 (DROPPED): --transform    |
 * |                          | left the row out; bit 4 (DUPLICATE): it repeats the row its error names; |
 * |                          | bit 5 (HELD): the ledger holds its eventId, accepted on the day its error |
 * |                          | names                                                                    |
 * | `rows.kept`              | only with --rejects: each row's cells, NDJSON value and line, as read    |
 *
 * Column-wise numbers and one buffer of text cross threads far faster than as many small objects;
 * ParcelView reads a row back where the parcel arrives, decoding a text only when it is asked for.
 */
export interface Parcel {
  /** The request bodies, back to back: `{"items":[…]}` for a batch, the record itself for one row. */
  readonly data: Uint8Array;
  /** Where each body ends in `data`. */
  readonly bodyEnds: number[];
  /** How many rows each body carries, in order: the first `sum(sizes)` rows of `rows` are the sent ones. */
  readonly sizes: number[];
  /** Sent rows only: where each item's JSON ends in `data` (so a subset can be re-sent by slicing). */
  readonly itemEnds: number[];
  /** Every row of the parcel: the sent rows (in body order), then the finished ones. */
  readonly rows: ParcelRows;
  /** Rows the input had that the report had as accepted with the same digest (--resume): not sent again. */
  readonly skipped: number;
  /** How far into the inputs (all together, in bytes) the parcel's last row reaches: progress. */
  readonly bytes: number;
  /** The stage stopped here, before the inputs' end: why (nothing after it was prepared). */
  readonly stopped?: StageStop | undefined;
}

/**
 * Why the preparing stage stopped early: `changed`, --resume found an input is not the one the report
 * describes (at the row that differs); `cut`, an input was cut off midway (a download broken), after its
 * whole rows. `message` names the input and the row.
 */
export interface StageStop {
  readonly reason: 'changed' | 'cut';
  readonly message: string;
}

/**
 * Rows, packed for the crossing: their numbers in one Int32Array, their texts (eventId, digest, error) as
 * UTF-8 in the parcel's `data`, after the bodies. Read them with ParcelView.
 */
export interface ParcelRows {
  readonly count: number;
  /** Per row: its file (index into the sources the stage opened), physical line and row number. */
  readonly numbers: Int32Array;
  /** Per row: where its eventId, digest and error end in `data`; the first text starts at `textStart`. */
  readonly textEnds: Int32Array;
  readonly textStart: number;
  /** Per row: bit 0 = no eventId, bit 1 = no digest (not sent), bit 2 = no error; bit 3 (DROPPED) = --transform left it out; bit 4 (DUPLICATE) = it repeats an earlier row; bit 5 (HELD) = the ledger holds its eventId. */
  readonly flags: Uint8Array;
  /** Only when a rejects file is written: the CSV cells, NDJSON value and line text, to write back. */
  readonly kept: KeptCells | null;
}

/** The input as it was, per row, for the rejects file. */
export interface KeptCells {
  readonly cells: (string[] | null)[];
  readonly value: unknown[];
  readonly text: (string | null)[];
}

/** A row's flag: --transform left it out (its fate is `dropped`, not `valid`). */
export const DROPPED = 1 << 3;
/**
 * A row's flag: it repeats an earlier row of the run (content eventIds), so it is not sent; its error text
 * is then where that row is, `FILE:ROW` (FILE an index into the sources), or empty when that is unknown.
 */
export const DUPLICATE = 1 << 4;
/**
 * A row's flag: the ledger (--ledger) holds its eventId, accepted by the service in an earlier run, so it
 * is not sent; its error text is then the UTC day it was accepted (`2026-12-04`).
 */
export const HELD = 1 << 5;

/** A batch body is `{"items":[` + items joined by `,` + `]}`. */
export const ITEMS_OPEN = Buffer.from('{"items":[');
export const ITEMS_CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/** A row of a parcel as an object: for the report and rejects writers, and for tests. */
export interface ParcelRow {
  readonly file: number;
  readonly line: number;
  readonly row: number;
  readonly eventId: string | null;
  readonly digest: string | null;
  readonly error: string | null;
  readonly cells?: string[] | undefined;
  readonly value?: unknown;
  readonly text?: string | undefined;
}

/** What moves, not copied, when a parcel crosses to another thread. */
export function transferables(parcel: Parcel): ArrayBuffer[] {
  const { rows } = parcel;
  return [parcel.data.buffer, rows.numbers.buffer, rows.textEnds.buffer, rows.flags.buffer] as ArrayBuffer[];
}

/** A parcel's rows, read where they arrive: numbers as they are, texts decoded when asked for. */
export class ParcelView {
  readonly #rows: ParcelRows;
  readonly #text: Buffer;

  constructor(parcel: Parcel) {
    this.#rows = parcel.rows;
    this.#text = Buffer.from(parcel.data.buffer, parcel.data.byteOffset, parcel.data.byteLength);
  }

  get count(): number {
    return this.#rows.count;
  }

  file(i: number): number {
    return this.#rows.numbers[i * 3];
  }

  line(i: number): number {
    return this.#rows.numbers[i * 3 + 1];
  }

  row(i: number): number {
    return this.#rows.numbers[i * 3 + 2];
  }

  eventId(i: number): string | null {
    return this.#textAt(i, 0);
  }

  digest(i: number): string | null {
    return this.#textAt(i, 1);
  }

  error(i: number): string | null {
    return this.#textAt(i, 2);
  }

  /** Did --transform leave row `i` out? */
  dropped(i: number): boolean {
    return (this.#rows.flags[i] & DROPPED) !== 0;
  }

  /** Where the earlier row that row `i` repeats is (file index, row), when it is a duplicate; null otherwise, or when that is unknown. */
  repeats(i: number): { readonly file: number; readonly row: number } | null | undefined {
    if ((this.#rows.flags[i] & DUPLICATE) === 0) return undefined;
    const at = /^(\d+):(\d+)$/.exec(this.#textAt(i, 2) ?? '');
    return at ? { file: Number(at[1]), row: Number(at[2]) } : null;
  }

  /** The UTC day the service accepted row `i`'s eventId, when the ledger holds it (the row is skipped); undefined otherwise. */
  acceptedOn(i: number): string | undefined {
    if ((this.#rows.flags[i] & HELD) === 0) return undefined;
    return this.#textAt(i, 2) ?? '';
  }

  /** Row `i` as an object, with its input when it was kept (the rejects file). */
  at(i: number): ParcelRow {
    const kept = this.#rows.kept;
    return {
      file: this.file(i),
      line: this.line(i),
      row: this.row(i),
      eventId: this.eventId(i),
      digest: this.digest(i),
      error: this.error(i),
      ...(kept ? { cells: kept.cells[i] ?? undefined, value: kept.value[i], text: kept.text[i] ?? undefined } : {}),
    };
  }

  #textAt(i: number, field: number): string | null {
    const rows = this.#rows;
    if ((rows.flags[i] & (1 << field)) !== 0) return null;
    const at = i * 3 + field;
    return this.#text.toString('utf8', at === 0 ? rows.textStart : rows.textEnds[at - 1], rows.textEnds[at]);
  }
}

/**
 * The body of a subset of a batch's items, cut from the bytes built once: a re-sent remainder or half
 * of a split batch is never serialised again. `start` is where the batch body starts in `data`, `ends`
 * where each of its items ends, `indexes` the items wanted (in order).
 */
export function subsetBody(data: Uint8Array, start: number, ends: readonly number[], indexes: readonly number[]): Buffer {
  const parts: Uint8Array[] = [ITEMS_OPEN];
  indexes.forEach((item, k) => {
    const from = item === 0 ? start + ITEMS_OPEN.length : ends[item - 1] + 1;
    if (k > 0) parts.push(COMMA);
    parts.push(data.subarray(from, ends[item]));
  });
  parts.push(ITEMS_CLOSE);
  return Buffer.concat(parts);
}
