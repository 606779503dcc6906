import { DoneRows } from './done-rows.js';
import { IDLE_FLUSH_MS, InTurn } from './hand-over.js';
import type { Inlet, Outlet } from './hand-over.js';
import { Packer } from './packer.js';
import type { Parcel, StageStop } from './parcel.js';
import type { ParsedChunk } from './parse-stage.js';
import { RowPreparer } from './row-preparer.js';
import type { ParsedRow, PreparedRow } from './row-preparer.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';
import type { RowTools } from './row-tools.js';


/**
 * The mapping end of the stage: parsed rows in, parcels out. Each row is mapped, transformed
 * (--transform), validated and serialised (RowPreparer), checked against the rows an earlier run got accepted (--resume), and packed
 * into request bodies (Packer). Headers are resolved once per input, when the stage is made: a header
 * that cannot be refuses the run before anything is sent.
 */
export class MapStage {
  readonly #settings: PrepareSettings;
  readonly #sources: readonly SourceInfo[];
  readonly #preparer: RowPreparer;
  readonly #packer: Packer;
  readonly #done: DoneRows | undefined;
  /** --resume found the input changed, or an input was cut off: what to say; nothing after it is prepared. */
  #stopped: StageStop | undefined;

  constructor(settings: PrepareSettings, sources: readonly SourceInfo[], tools: RowTools) {
    this.#settings = settings;
    this.#sources = sources;
    this.#preparer = new RowPreparer(settings, tools);
    sources.forEach((source, i) => this.#preparer.plan(i, source.file, source.header));
    this.#packer = new Packer(settings.sending ? settings.batchSize : 1, settings.keepCells);
    this.#done = settings.done ? new DoneRows(settings.done) : undefined;
  }

  /**
   * Prepares and packs a chunk's rows, in order; stops at the first that differs from the report
   * (--resume). Returns a promise only once an async transform gave one: the rest of the chunk then
   * waits for each row in turn.
   */
  accept(chunk: ParsedChunk): Promise<void> | undefined {
    for (let i = 0; i < chunk.rows.length && this.#stopped === undefined; i++) {
      const prepared = this.#preparer.prepare(chunk.file, this.#parsed(chunk, i));
      if (prepared instanceof Promise) return this.#acceptFrom(chunk, i, prepared);
      this.#pack(chunk, i, prepared);
    }
    this.#ended(chunk);
    return undefined;
  }

  /** The rest of a chunk from row `i`, whose fate is a promise, on: row by row. */
  async #acceptFrom(chunk: ParsedChunk, i: number, first: Promise<PreparedRow>): Promise<void> {
    this.#pack(chunk, i, await first);
    for (let j = i + 1; j < chunk.rows.length && this.#stopped === undefined; j++) {
      const prepared = this.#preparer.prepare(chunk.file, this.#parsed(chunk, j));
      this.#pack(chunk, j, prepared instanceof Promise ? await prepared : prepared);
    }
    this.#ended(chunk);
  }

  #parsed(chunk: ParsedChunk, i: number): ParsedRow {
    return { row: chunk.rows[i], line: chunk.lines[i], cells: chunk.cells[i], value: chunk.values[i], error: chunk.errors[i] };
  }

  /** Packs row `i` of a chunk by its fate, unless --resume finds the report has it accepted (skipped) or changed. */
  #pack(chunk: ParsedChunk, i: number, prepared: PreparedRow): void {
    const file = this.#sources[chunk.file].file;
    const ref = { file: chunk.file, line: chunk.lines[i], row: chunk.rows[i] };
    const kept = this.#settings.keepCells ? { cells: chunk.cells[i], value: chunk.values[i], text: chunk.texts[i] } : undefined;
    const check = this.#done?.check(file, ref.row, prepared.fate === 'send' ? prepared.digest : null) ?? 'new';
    if (check === 'same') {
      this.#packer.skip();
    } else if (check === 'changed') {
      const now =
        prepared.fate === 'send' ? `its digest is ${prepared.digest}` : prepared.fate === 'invalid' ? `it is now invalid (${prepared.error})` : prepared.fate === 'dropped' ? 'the transform now leaves it out' : 'it changed';
      this.#stopped = { reason: 'changed', message: `${file}:${ref.line}: row ${ref.row} is not the row the report has as accepted (${now})` };
    } else if (prepared.fate === 'send') {
      this.#packer.send(ref, prepared.json, prepared.eventId, prepared.digest, kept);
    } else if (prepared.fate === 'dropped') {
      this.#packer.drop(ref);
    } else {
      this.#packer.finish(ref, prepared.fate === 'invalid' ? prepared.error : null, prepared.fate === 'invalid' ? prepared.eventId : null, kept);
    }
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
