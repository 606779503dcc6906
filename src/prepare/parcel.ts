/**
 * What the preparing stage hands over: rows ready to send, in request bodies built once, and rows it
 * finished itself (invalid, or valid for validate). Everything is column-wise arrays of numbers and
 * strings: they cross threads far faster than as many small objects (structured clone writes every key
 * of every object), and the sending side keeps a parcel until its requests are done.
 */
export interface Parcel {
  /** Request bodies, ready to POST: `{"items":[…]}` for a batch, the record itself for one row. */
  readonly bodies: string[];
  /** How many rows each body carries, in order: the first `sum(sizes)` rows of `rows` are the sent ones. */
  readonly sizes: number[];
  /** Sent rows only: where each item's JSON ends in its body (so a subset can be re-sent by slicing). */
  readonly itemEnds: number[];
  /** Every row of the parcel: the sent rows (in body order), then the finished ones. */
  readonly rows: ParcelRows;
  /** Rows the input had that the report had as accepted with the same digest (--resume): not sent again. */
  readonly skipped: number;
  /** Input bytes read when the parcel's last row was (all files together, for progress). */
  readonly bytes: number;
  /** --resume: the input is not the one the report describes; the stage stopped here. */
  readonly changed?: string | undefined;
}

/** Rows, column-wise. `file` indexes the sources the stage opened. */
export interface ParcelRows {
  readonly file: number[];
  readonly line: number[];
  readonly row: number[];
  readonly eventId: (string | null)[];
  /** A sent row's digest (its position and record, see mapping/event-id.ts); null for the others. */
  readonly digest: (string | null)[];
  /** A finished row's error (invalid), or null (valid). Null for sent rows. */
  readonly error: (string | null)[];
  /** Only when a rejects file is written: the CSV cells, NDJSON value and line text, to write back. */
  readonly kept: KeptCells | null;
}

/** The input as it was, per row, for the rejects file. */
export interface KeptCells {
  readonly cells: (string[] | null)[];
  readonly value: unknown[];
  readonly text: (string | null)[];
}

/** Where a batch body's first item starts: after `{"items":[`. */
export const ITEMS_OPEN = '{"items":[';
export const ITEMS_CLOSE = ']}';

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

/** Row `i` of a parcel, as an object. */
export function rowAt(rows: ParcelRows, i: number): ParcelRow {
  const kept = rows.kept;
  return {
    file: rows.file[i],
    line: rows.line[i],
    row: rows.row[i],
    eventId: rows.eventId[i],
    digest: rows.digest[i],
    error: rows.error[i],
    ...(kept ? { cells: kept.cells[i] ?? undefined, value: kept.value[i], text: kept.text[i] ?? undefined } : {}),
  };
}

/**
 * The body of a subset of a batch's items (`indexes` into the body's items, in order), cut from the body
 * that was built once: a re-sent remainder or half of a split batch is never serialised again.
 */
export function subsetBody(body: string, itemEnds: readonly number[], indexes: readonly number[]): string {
  let text = ITEMS_OPEN;
  indexes.forEach((item, k) => {
    const start = item === 0 ? ITEMS_OPEN.length : itemEnds[item - 1] + 1;
    text += (k === 0 ? '' : ',') + body.slice(start, itemEnds[item]);
  });
  return text + ITEMS_CLOSE;
}
