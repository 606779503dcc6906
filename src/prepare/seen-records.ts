/**
 * The records a run has seen, by the first 64 bits of their content hash, each with where it was first
 * seen: so a row that repeats an earlier row of the run is sent once (content eventIds). Written by hand
 * because a Set of strings costs about 100 bytes a record, and this must hold millions in a few bytes
 * each: 2,000,000 records take 27–31 MB here.
 *
 * Shape: 256 open-addressing tables with linear probing, picked by the key's top 8 bits. Each slot is
 * three Uint32s (the key's two halves, and where the record was first seen; 0 = empty). A table grows by
 * 30 % once it is 90 % full. The tables start at sizes spread over one growth step, so they grow at
 * different times: together they hold about 1.27 slots per record whatever the count (all growing at
 * once would swing between 1.11 and 1.44); and growing one table of 256 at a time never holds two copies
 * of everything (a single table would, for a moment). Growing by less costs more moves per record.
 */
const TABLES = 256;
const FIRST_SLOTS = 256;
const MAX_LOAD = 0.9;
const GROWTH = 1.3;
const SLOT = 3;

export class SeenRecords {
  readonly #tables: Uint32Array[] = Array.from({ length: TABLES }, (_, k) => new Uint32Array(Math.ceil(FIRST_SLOTS * GROWTH ** (k / TABLES)) * SLOT));
  readonly #sizes = new Uint32Array(TABLES);

  /**
   * Where the record with this key was first seen (`at`, never 0, as given then), or 0 when it is new:
   * it is then noted as seen at `at`.
   */
  firstOrAdd(high: number, low: number, at: number): number {
    const which = high >>> 24;
    const table = this.#tables[which];
    const slots = table.length / SLOT;
    let i = Math.floor((low * slots) / 4294967296) * SLOT;
    for (;;) {
      const first = table[i + 2];
      if (first === 0) break;
      if (table[i] === high && table[i + 1] === low) return first;
      i += SLOT;
      if (i === table.length) i = 0;
    }
    table[i] = high;
    table[i + 1] = low;
    table[i + 2] = at;
    if (++this.#sizes[which] > slots * MAX_LOAD) this.#grow(which, Math.ceil(slots * GROWTH));
    return 0;
  }

  /** Records held. */
  get size(): number {
    return this.#sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * Makes room for about `count` records at once, when the run can tell how many are coming: every table
   * is then allocated once at its size, instead of growing step by step, each step leaving its old table
   * as garbage until the next collection (at 200,000 records that garbage was three times the tables).
   */
  reserve(count: number): void {
    const slots = Math.ceil(count / TABLES / MAX_LOAD) + 1;
    for (let which = 0; which < TABLES; which++) if (this.#tables[which].length / SLOT < slots) this.#grow(which, slots);
  }

  /** Bytes the tables take. */
  get bytes(): number {
    return this.#tables.reduce((sum, table) => sum + table.byteLength, 0);
  }

  #grow(which: number, slots: number): void {
    const old = this.#tables[which];
    const table = new Uint32Array(slots * SLOT);
    for (let j = 0; j < old.length; j += SLOT) {
      if (old[j + 2] === 0) continue;
      let i = Math.floor((old[j + 1] * slots) / 4294967296) * SLOT;
      while (table[i + 2] !== 0) {
        i += SLOT;
        if (i === table.length) i = 0;
      }
      table[i] = old[j];
      table[i + 1] = old[j + 1];
      table[i + 2] = old[j + 2];
    }
    this.#tables[which] = table;
  }
}

/** The most a run-wide row number can be (a slot's third Uint32; 0 means empty). */
const MAX_AT = 0xfffffffe;

/**
 * Rows that repeat an earlier row of the run, by their records' content hash: where a record was first
 * seen is kept as one run-wide row number (each input's rows numbered after the rows of the inputs before
 * it, which the stage reads one after another), turned back into the input and its row when a repeat
 * names it.
 */
export class Repeats {
  readonly #seen = new SeenRecords();
  /** Per input, in the order they were read: its index and the run-wide number of its row 0. */
  readonly #bases: { file: number; base: number }[] = [];
  #next = 0;

  /**
   * Notes a record (the first 64 bits of its content hash, as two halves) at an input's row; when the run
   * saw it before, says where: `FILE:ROW` (the input's index and row), or '' when that is past what a
   * slot can hold.
   */
  repeatOf(high: number, low: number, file: number, row: number): string | undefined {
    const at = this.#numbered(file, row);
    const first = this.#seen.firstOrAdd(high, low, Math.min(at, MAX_AT + 1));
    if (first === 0) return undefined;
    if (first > MAX_AT) return '';
    const where = this.#bases.findLast((b) => b.base < first);
    return where ? `${where.file}:${first - where.base}` : '';
  }

  /** Records held. */
  get size(): number {
    return this.#seen.size;
  }

  /** About `count` records are coming: room for them at once (SeenRecords.reserve). */
  expect(count: number): void {
    this.#seen.reserve(count);
  }

  #numbered(file: number, row: number): number {
    let last = this.#bases.at(-1);
    if (last?.file !== file) this.#bases.push((last = { file, base: this.#next }));
    this.#next = Math.max(this.#next, last.base + row);
    return last.base + row;
  }
}
