import { DoneRows } from './done-rows.js';
import { IDLE_FLUSH_MS, InTurn } from './hand-over.js';
import type { Inlet, Outlet } from './hand-over.js';
import { Packer } from './packer.js';
import type { Parcel, StageStop } from './parcel.js';
import type { ParsedChunk } from './parse-stage.js';
import { RowPreparer } from './row-preparer.js';
import type { ParsedRow, PreparedRow, SendRow } from './row-preparer.js';
import { Repeats } from './seen-records.js';
import { digestOf, rowHash } from '../mapping/index.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';
import type { LedgerLookUp, RowTools } from './row-tools.js';


/** Rows read before the run's row count is estimated from the inputs' size (to size the table of records seen). */
const SIZE_FROM_ROWS = 1000;
/** The most records the table is sized for at once (beyond, it grows as it fills): an estimate gone wrong costs at most this. */
const MAX_EXPECTED = 20_000_000;

/**
 * The mapping end of the stage: parsed rows in, parcels out. Each row is mapped, transformed
 * (--transform), validated and serialised (RowPreparer), checked against the rows an earlier run got
 * accepted (--resume) and, with content eventIds, against the records the run has seen (a repeat is not
 * sent), and packed into request bodies (Packer). Headers are resolved once per input, when the stage is made: a header
 * that cannot be refuses the run before anything is sent.
 */
export class MapStage {
  readonly #settings: PrepareSettings;
  readonly #sources: readonly SourceInfo[];
  readonly #preparer: RowPreparer;
  readonly #packer: Packer;
  readonly #done: DoneRows | undefined;
  /** --ledger: the eventIds the service accepted in earlier runs. */
  readonly #ledger: LedgerLookUp | undefined;
  /** With content eventIds, the records seen so far: a row that repeats one is a duplicate. */
  readonly #repeats: Repeats | undefined;
  /** Rows taken so far, until the table of records seen is sized from them (#sizeRepeats). */
  #rowsTaken = 0;
  /** --resume found the input changed, or an input was cut off: what to say; nothing after it is prepared. */
  #stopped: StageStop | undefined;

  constructor(settings: PrepareSettings, sources: readonly SourceInfo[], tools: RowTools) {
    this.#settings = settings;
    this.#sources = sources;
    this.#preparer = new RowPreparer(settings, tools);
    sources.forEach((source, i) => this.#preparer.plan(i, source.file, source.header));
    this.#packer = new Packer(settings.sending ? settings.batchSize : 1, settings.keepCells);
    this.#done = settings.done ? new DoneRows(settings.done) : undefined;
    this.#ledger = tools.ledger;
    this.#repeats = settings.sending && settings.eventIds === 'content' ? new Repeats() : undefined;
  }

  /**
   * Prepares a chunk's rows, looks their eventIds up in the ledger (--ledger) in one go, and packs them in
   * order; stops at the first that differs from the report (--resume). Returns a promise only once an
   * async transform gave one: the rest of the chunk then waits for each row in turn.
   */
  accept(chunk: ParsedChunk): Promise<void> | undefined {
    if (this.#repeats && this.#rowsTaken >= 0) this.#sizeRepeats(chunk);
    const prepared: PreparedRow[] = [];
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = this.#preparer.prepare(chunk.file, this.#parsed(chunk, i));
      if (row instanceof Promise) return this.#acceptFrom(chunk, prepared, row);
      prepared.push(row);
    }
    this.#packChunk(chunk, prepared);
    return undefined;
  }

  /** The rest of a chunk, from the row whose fate is the promise `next` on: row by row. */
  async #acceptFrom(chunk: ParsedChunk, prepared: PreparedRow[], next: Promise<PreparedRow>): Promise<void> {
    prepared.push(await next);
    for (let j = prepared.length; j < chunk.rows.length; j++) {
      const row = this.#preparer.prepare(chunk.file, this.#parsed(chunk, j));
      prepared.push(row instanceof Promise ? await row : row);
    }
    this.#packChunk(chunk, prepared);
  }

  /**
   * Packs a chunk's prepared rows. The ledger is asked about the chunk's eventIds at once (a thousand
   * or so, a few statements), here in the preparing thread, with its own read-only connection: the
   * look-ups cost the main thread nothing, and a batch is packed from the rows left, so it stays full.
   */
  #packChunk(chunk: ParsedChunk, prepared: readonly PreparedRow[]): void {
    let held: ReadonlyMap<string, string> | undefined;
    if (this.#ledger) {
      const ids: string[] = [];
      for (const row of prepared) if (row.fate === 'send' && row.eventId !== null) ids.push(row.eventId);
      held = ids.length > 0 ? this.#ledger.acceptedDays(ids) : undefined;
    }
    for (let i = 0; i < prepared.length && this.#stopped === undefined; i++) this.#pack(chunk, i, prepared[i], held);
    this.#ended(chunk);
  }

  #parsed(chunk: ParsedChunk, i: number): ParsedRow {
    return { row: chunk.rows[i], line: chunk.lines[i], cells: chunk.cells[i], value: chunk.values[i], error: chunk.errors[i] };
  }

  /**
   * Packs row `i` of a chunk by its fate, unless --resume finds the report has it done (skipped) or
   * changed, the ledger holds its eventId (`held`: skipped, with the day it was accepted), or it repeats
   * an earlier row of the run (a duplicate: with content eventIds).
   */
  #pack(chunk: ParsedChunk, i: number, prepared: PreparedRow, held: ReadonlyMap<string, string> | undefined): void {
    const file = this.#sources[chunk.file].file;
    const ref = { file: chunk.file, line: chunk.lines[i], row: chunk.rows[i] };
    const kept = this.#settings.keepCells ? { cells: chunk.cells[i], value: chunk.values[i], text: chunk.texts[i] } : undefined;
    const sending = prepared.fate === 'send' ? prepared : undefined;
    const check = this.#done?.check(file, ref.row, sending?.digest ?? null, sending && (() => digestOf(rowHash(ref.row, sending.plain)))) ?? 'new';
    // A row skipped (done before) is still a record the run has seen: a later repeat of it is a duplicate.
    const repeats = check !== 'changed' && sending?.seen ? this.#repeats?.repeatOf(sending.high, sending.low, ref.file, ref.row) : undefined;
    if (check === 'same') {
      this.#packer.skip();
    } else if (check === 'changed') {
      const now =
        prepared.fate === 'send' ? `its digest is ${prepared.digest}` : prepared.fate === 'invalid' ? `it is now invalid (${prepared.error})` : prepared.fate === 'dropped' ? 'the transform now leaves it out' : 'it changed';
      this.#stopped = { reason: 'changed', message: `${file}:${ref.line}: row ${ref.row} is not the row the report has as accepted (${now})` };
    } else if (sending) {
      const day = sending.eventId === null ? undefined : held?.get(sending.eventId);
      if (day !== undefined) this.#packer.held(ref, sending.eventId!, sending.digest, day, kept);
      else if (this.#settings.sending) this.#sendOrRepeat(ref, sending, repeats, kept);
      // --dry-run with a ledger: a row it does not hold is one the run would send.
      else this.#packer.finish(ref, null, null, kept);
    } else if (prepared.fate === 'dropped') {
      this.#packer.drop(ref);
    } else {
      this.#packer.finish(ref, prepared.fate === 'invalid' ? prepared.error : null, prepared.fate === 'invalid' ? prepared.eventId : null, kept);
    }
  }

  /**
   * Once the first thousand rows are in, the inputs' size (when every one is known) tells about how many
   * rows the run has: the table of records seen is made that big at once, rather than grown step by step.
   */
  #sizeRepeats(chunk: ParsedChunk): void {
    this.#rowsTaken += chunk.rows.length;
    if (this.#rowsTaken < SIZE_FROM_ROWS || chunk.bytes <= 0) return;
    const sizes = this.#sources.map((source) => source.size);
    if (sizes.every((size) => size !== undefined)) {
      const total = sizes.reduce((a, b) => a + b, 0);
      this.#repeats?.expect(Math.min(MAX_EXPECTED, Math.ceil((this.#rowsTaken * total) / chunk.bytes)));
    }
    this.#rowsTaken = -1;
  }

  /** A row to send, or, when it repeats an earlier row of the run (`repeats` says where), a duplicate. */
  #sendOrRepeat(ref: { file: number; line: number; row: number }, row: SendRow, repeats: string | undefined, kept: Parameters<Packer['send']>[4]): void {
    if (repeats === undefined) this.#packer.send(ref, row.json, row.eventId, row.digest, kept);
    else this.#packer.duplicate(ref, row.eventId, row.digest, repeats, kept);
  }

  /** After a chunk: an input shorter than the report says it was has changed (--resume). */
  #ended(chunk: ParsedChunk): void {
    const file = this.#sources[chunk.file].file;
    const max = this.#done?.maxRow(file) ?? 0;
    if (chunk.fileRows !== undefined && chunk.fileRows < max && this.#stopped === undefined) {
      this.#stopped = { reason: 'changed', message: `${file}: ${file === '-' ? 'stdin' : 'the input'} ends after row ${chunk.fileRows}, but the report has rows up to ${max}` };
    }
    // A cut is no change: the rows before it were checked above, and --resume reads the input again.
    if (chunk.cut !== undefined && this.#stopped === undefined) this.#stopped = { reason: 'cut', message: chunk.cut };
  }

  /** Why the stage stops early, once it does. */
  get stopped(): StageStop | undefined {
    return this.#stopped;
  }

  /** A parcel is full (a batch, 256 single bodies, or many finished rows), or the stage stops here. */
  get ready(): boolean {
    return this.#packer.full || this.#stopped !== undefined;
  }

  take(bytes: number, all: boolean): Parcel {
    return this.#packer.take(bytes, all || this.#stopped !== undefined, this.#stopped);
  }

  /**
   * Runs the stage: chunks from `inlet`, parcels to `outlet`. A batch that is not full goes when its
   * first row has waited --batch-wait, or at the end; other packed rows go after a short idle spell.
   */
  async run(inlet: Inlet<ParsedChunk>, outlet: Outlet<Parcel>): Promise<void> {
    let bytes = 0;
    let timer: NodeJS.Timeout | undefined;
    const handOver = new InTurn(outlet);
    const hand = (all: boolean): Promise<boolean> => handOver.send(this.take(bytes, all));
    const packer = this.#packer;
    const arm = (): void => {
      clearTimeout(timer);
      const batchDue = packer.openedAt === undefined ? Infinity : packer.openedAt + this.#settings.batchWaitMs - Date.now();
      const wait = Math.min(packer.pending ? IDLE_FLUSH_MS : Infinity, batchDue);
      timer = wait === Infinity ? undefined : setTimeout(idle, Math.max(0, wait));
    };
    const idle = (): void => {
      const batchDue = packer.openedAt !== undefined && Date.now() - packer.openedAt >= this.#settings.batchWaitMs;
      if (packer.pending || batchDue) void hand(batchDue);
      arm();
    };
    for await (const chunk of inlet.items()) {
      bytes = chunk.bytes;
      const accepting = this.accept(chunk);
      if (accepting) await accepting;
      while (this.ready) {
        const stop = this.#stopped !== undefined;
        if (!(await hand(stop)) || stop) {
          clearTimeout(timer);
          inlet.stop();
          outlet.end();
          return;
        }
      }
      arm();
    }
    clearTimeout(timer);
    if (packer.pending || packer.openedAt !== undefined) await hand(true);
    if (await handOver.last) outlet.end();
  }
}
