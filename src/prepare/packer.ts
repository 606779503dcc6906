import { BodyBytes } from './body-bytes.js';
import { DROPPED, DUPLICATE, HELD, ITEMS_CLOSE, ITEMS_OPEN } from './parcel.js';
import type { KeptCells, Parcel, ParcelRows, StageStop } from './parcel.js';

/** Where a row came from: its file (index into the sources), physical line and row number. */
export interface RowRef {
  readonly file: number;
  readonly line: number;
  readonly row: number;
}

/** A row's input as it was, kept for the rejects file. */
export interface Kept {
  readonly cells: string[] | null;
  readonly value: unknown;
  readonly text: string | null;
}

/** Rows finished here (not sent) per parcel, at most: a file of invalid rows still flows in parcels. */
const FINISHED_PER_PARCEL = 1000;
/** One-row bodies per parcel (single mode): a parcel is one message between threads. */
const SINGLES_PER_PARCEL = 256;

/** Growable columns of rows. */
class Columns {
  readonly file: number[] = [];
  readonly line: number[] = [];
  readonly row: number[] = [];
  readonly eventId: (string | null)[] = [];
  readonly digest: (string | null)[] = [];
  readonly error: (string | null)[] = [];
  /** Which rows --transform left out: few or none, so their indexes, not a column of their own. */
  readonly dropped: number[] = [];
  /** Which rows repeat an earlier row (their error text says which): few, so their indexes. */
  readonly duplicates: number[] = [];
  /** Which rows the ledger holds (their error text is the day): their indexes. */
  readonly held: number[] = [];
  readonly kept: KeptCells | null;

  constructor(keep: boolean) {
    this.kept = keep ? { cells: [], value: [], text: [] } : null;
  }

  get length(): number {
    return this.row.length;
  }

  add(ref: RowRef, eventId: string | null, digest: string | null, error: string | null, kept: Kept | undefined): void {
    this.file.push(ref.file);
    this.line.push(ref.line);
    this.row.push(ref.row);
    this.eventId.push(eventId);
    this.digest.push(digest);
    this.error.push(error);
    if (this.kept) {
      this.kept.cells.push(kept?.cells ?? null);
      this.kept.value.push(kept?.value);
      this.kept.text.push(kept?.text ?? null);
    }
  }

  /** These rows, then `more`'s, packed: numbers into typed arrays, texts written into `data`. */
  pack(more: Columns, data: BodyBytes): ParcelRows {
    const count = this.length + more.length;
    const numbers = new Int32Array(count * 3);
    const textEnds = new Int32Array(count * 3);
    const flags = new Uint8Array(count);
    const textStart = data.length;
    let i = 0;
    for (const part of [this, more]) {
      for (const j of part.dropped) flags[i + j] = DROPPED;
      for (const j of part.duplicates) flags[i + j] = DUPLICATE;
      for (const j of part.held) flags[i + j] = HELD;
      for (let j = 0; j < part.length; j++, i++) {
        numbers[i * 3] = part.file[j];
        numbers[i * 3 + 1] = part.line[j];
        numbers[i * 3 + 2] = part.row[j];
        const texts = [part.eventId[j], part.digest[j], part.error[j]];
        for (let k = 0; k < 3; k++) {
          const text = texts[k];
          if (text === null) flags[i] |= 1 << k;
          textEnds[i * 3 + k] = text === null ? data.length : data.write(text);
        }
      }
    }
    const kept = this.kept && more.kept ? { cells: this.kept.cells.concat(more.kept.cells), value: this.kept.value.concat(more.kept.value), text: this.kept.text.concat(more.kept.text) } : null;
    return { count, numbers, textEnds, textStart, flags, kept };
  }
}

/** First size of a parcel's body buffer; later ones start at the size the last parcel needed. */
const FIRST_CAPACITY = 64 * 1024;

/**
 * Packs prepared rows into parcels: valid rows into request bodies (`{"items":[…]}` of up to
 * `batchSize` rows, each body written once, as UTF-8, as rows come; or one record a body when
 * `batchSize` is 1), finished rows beside them. A batch never holds one eventId twice: the API matches
 * results to items by eventId, so a repeated id starts the next batch.
 */
export class Packer {
  readonly #batchSize: number;
  readonly #keep: boolean;
  #sent: Columns;
  #finished: Columns;
  #data: BodyBytes;
  #capacity = FIRST_CAPACITY;
  #bodyEnds: number[] = [];
  #sizes: number[] = [];
  /** Where each sent row's item ends in #data (the open batch's too). */
  #itemEnds: number[] = [];
  /** The batch being filled: its row count and eventIds. */
  #openSize = 0;
  #openIds = new Set<string>();
  /** When the batch being filled got its first row (ms since the epoch). */
  #openedAt: number | undefined;
  #skipped = 0;

  constructor(batchSize: number, keep: boolean) {
    this.#batchSize = batchSize;
    this.#keep = keep;
    this.#sent = new Columns(keep);
    this.#finished = new Columns(keep);
    this.#data = new BodyBytes(this.#capacity);
  }

  /** A row to send: its record's JSON, its eventId and digest. */
  send(ref: RowRef, json: string, eventId: string | null, digest: string, kept?: Kept): void {
    if (this.#batchSize === 1) {
      const end = this.#data.write(json);
      this.#bodyEnds.push(end);
      this.#sizes.push(1);
      this.#itemEnds.push(end);
    } else {
      if (eventId !== null && this.#openIds.has(eventId)) this.#close();
      if (this.#openSize === 0) {
        this.#openedAt = Date.now();
        this.#data.append(ITEMS_OPEN);
      } else {
        this.#data.write(',');
      }
      this.#itemEnds.push(this.#data.write(json));
      this.#openSize++;
      if (eventId !== null) this.#openIds.add(eventId);
      if (this.#openSize >= this.#batchSize) this.#close();
    }
    this.#sent.add(ref, eventId, digest, null, kept);
  }

  /** A row finished here: invalid (with its error) or valid (validate: nothing to send). */
  finish(ref: RowRef, error: string | null, eventId: string | null, kept?: Kept): void {
    this.#finished.add(ref, eventId, null, error, kept);
  }

  /** A row --transform left out (null): finished here, with nothing to say but that. */
  drop(ref: RowRef): void {
    this.#finished.dropped.push(this.#finished.length);
    this.#finished.add(ref, null, null, null, undefined);
  }

  /**
   * A row that repeats an earlier row of the run (content eventIds): finished here, not sent, with its
   * eventId and digest, and where the row it repeats is (`FILE:ROW`, FILE an index into the sources; empty when unknown).
   */
  duplicate(ref: RowRef, eventId: string | null, digest: string, repeats: string, kept?: Kept): void {
    this.#finished.duplicates.push(this.#finished.length);
    this.#finished.add(ref, eventId, digest, repeats, kept);
  }

  /**
   * A row whose eventId the ledger holds (--ledger): the service accepted it on `day` (UTC), in an earlier
   * run. Finished here, not sent, with its eventId and digest: reported skipped.
   */
  held(ref: RowRef, eventId: string, digest: string, day: string, kept?: Kept): void {
    this.#finished.held.push(this.#finished.length);
    this.#finished.add(ref, eventId, digest, day, kept);
  }

  /** A row the report already has as accepted, unchanged (--resume). */
  skip(): void {
    this.#skipped++;
  }

  /** Enough is packed for a parcel: a full batch, a full set of single bodies, or many finished rows. */
  get full(): boolean {
    const bodies = this.#batchSize === 1 ? this.#bodyEnds.length >= SINGLES_PER_PARCEL : this.#bodyEnds.length > 0;
    return bodies || this.#finished.length >= FINISHED_PER_PARCEL;
  }

  /** Something is packed that need not wait for the batch being filled: bodies, finished or skipped rows. */
  get pending(): boolean {
    return this.#bodyEnds.length > 0 || this.#finished.length > 0 || this.#skipped > 0;
  }

  /** When the batch being filled got its first row (ms since the epoch); undefined when none is. */
  get openedAt(): number | undefined {
    return this.#openSize === 0 ? undefined : this.#openedAt;
  }

  /**
   * Hands over what is packed as a parcel, the open batch too when `all` (the input ended, or rows
   * waited --batch-wait): otherwise a batch still filling stays for the next parcel.
   */
  take(bytes: number, all: boolean, stopped?: StageStop): Parcel {
    if (all) this.#close();
    const sentRows = this.#itemEnds.length - this.#openSize;
    const end = this.#bodyEnds.length === 0 ? 0 : this.#bodyEnds[this.#bodyEnds.length - 1];
    // The batch still filling moves to the next parcel's buffer; the rows' texts go where it was.
    const open = Buffer.from(this.#data.bytes(end, this.#data.length));
    this.#data.length = end;
    const rows = this.#split(sentRows).pack(this.#finished, this.#data);
    const parcel: Parcel = {
      data: this.#data.bytes(0, this.#data.length),
      bodyEnds: this.#bodyEnds,
      sizes: this.#sizes,
      itemEnds: this.#itemEnds.slice(0, sentRows),
      rows,
      skipped: this.#skipped,
      bytes,
      ...(stopped === undefined ? {} : { stopped }),
    };
    this.#restart(end, open, sentRows);
    return parcel;
  }

  /** A new body buffer for the next parcel, with the batch still filling moved over to it. */
  #restart(end: number, open: Uint8Array, sentRows: number): void {
    // What this parcel needed, and a quarter more: a parcel much like the one before then fits without the
    // buffer doubling near its end (a second allocation, and a copy, per parcel).
    this.#capacity = Math.max(FIRST_CAPACITY, Math.ceil((this.#data.length + open.length) * 1.25));
    this.#data = new BodyBytes(this.#capacity);
    this.#data.append(open);
    this.#itemEnds = this.#itemEnds.slice(sentRows).map((at) => at - end);
    this.#bodyEnds = [];
    this.#sizes = [];
    this.#finished = new Columns(this.#keep);
    this.#skipped = 0;
  }

  /** The first `count` rows of the sent columns, which then keep only the rest (the open batch). */
  #split(count: number): Columns {
    const columns = this.#sent;
    if (count === columns.length) {
      this.#sent = new Columns(this.#keep);
      return columns;
    }
    const head = new Columns(this.#keep);
    const rest = new Columns(this.#keep);
    for (let i = 0; i < columns.length; i++) {
      const kept = columns.kept ? { cells: columns.kept.cells[i], value: columns.kept.value[i], text: columns.kept.text[i] } : undefined;
      (i < count ? head : rest).add({ file: columns.file[i], line: columns.line[i], row: columns.row[i] }, columns.eventId[i], columns.digest[i], null, kept);
    }
    this.#sent = rest;
    return head;
  }

  /** Closes the batch being filled into a body. */
  #close(): void {
    if (this.#openSize === 0) return;
    this.#bodyEnds.push(this.#data.append(ITEMS_CLOSE));
    this.#sizes.push(this.#openSize);
    this.#openSize = 0;
    this.#openIds = new Set();
  }
}
