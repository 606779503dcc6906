import type { SourceRow } from '../input/index.js';

/** A row's fate as far as the preparing stage can tell. */
export const SEND = 0;
export const INVALID = 1;
export const VALID = 2;
/** Parsed only: the main thread maps and validates it (cells are kept; the text is a reader error or ''). */
export const RAW = 3;
export type RowFate = typeof SEND | typeof INVALID | typeof VALID | typeof RAW;

/**
 * Prepared rows of one file, column-wise: arrays of numbers and strings cross threads much faster than
 * as many small objects (structured clone writes every key of every object).
 */
export interface Chunk {
  readonly file: string;
  /** SEND, INVALID or VALID per row. */
  readonly status: RowFate[];
  readonly lines: number[];
  readonly rows: number[];
  /** The row's eventId (its own, carried over or generated), or null. */
  readonly eventIds: (string | null)[];
  /** SEND: the row's digest (see PreparedRow); otherwise null. */
  readonly digests: (string | null)[];
  /** SEND: the JSON body; INVALID: the errors, joined with `; `; VALID: ''; RAW: the reader's error or ''. */
  readonly texts: string[];
  /** Only when the cells are kept (for the rejects file): CSV cells, NDJSON value and line text. */
  readonly cells: (string[] | null)[] | null;
  readonly values: unknown[] | null;
  readonly raw: (string | null)[] | null;
  /** Input bytes read so far, all files together (for progress). */
  bytesRead: number;
  /** Set on a file's last chunk: how many rows the file had (all of them, whatever --shard takes). */
  fileRows?: number;
}

/** Collects prepared rows into chunks of one file each. */
export class ChunkBuilder {
  readonly #keepCells: boolean;
  #chunk: Chunk | undefined;

  constructor(keepCells: boolean) {
    this.#keepCells = keepCells;
  }

  get size(): number {
    return this.#chunk?.status.length ?? 0;
  }

  add(row: SourceRow, status: RowFate, eventId: string | null, text: string, digest: string | null): void {
    const keep = this.#keepCells;
    const chunk = (this.#chunk ??= {
      file: row.file,
      status: [],
      lines: [],
      rows: [],
      eventIds: [],
      digests: [],
      texts: [],
      cells: keep ? [] : null,
      values: keep ? [] : null,
      raw: keep ? [] : null,
      bytesRead: 0,
    });
    chunk.status.push(status);
    chunk.lines.push(row.line);
    chunk.rows.push(row.row);
    chunk.eventIds.push(eventId);
    chunk.digests.push(digest);
    chunk.texts.push(text);
    if (keep) {
      chunk.cells!.push(row.cells ?? null);
      chunk.values!.push(row.value);
      chunk.raw!.push(row.text ?? null);
    }
  }

  /**
   * Hands over the chunk built so far (undefined when empty) and starts a new one. At the end of a file
   * (`fileRows` given) there is always a chunk, empty if need be, to carry the file's row count.
   */
  take(bytesRead: number, end?: { file: string; rows: number }): Chunk | undefined {
    const chunk = this.#chunk ?? (end ? this.#empty(end.file) : undefined);
    this.#chunk = undefined;
    if (chunk) chunk.bytesRead = bytesRead;
    if (chunk && end) chunk.fileRows = end.rows;
    return chunk;
  }

  #empty(file: string): Chunk {
    const keep = this.#keepCells;
    return { file, status: [], lines: [], rows: [], eventIds: [], digests: [], texts: [], cells: keep ? [] : null, values: keep ? [] : null, raw: keep ? [] : null, bytesRead: 0 };
  }
}

/** The row as the report and rejects writers see it, rebuilt from a chunk (with its reader error, for RAW). */
export function rowOf(chunk: Chunk, i: number): SourceRow {
  const row: { file: string; line: number; row: number; cells?: string[]; value?: unknown; text?: string } = {
    file: chunk.file,
    line: chunk.lines[i],
    row: chunk.rows[i],
  };
  if (chunk.cells) {
    const cells = chunk.cells[i];
    if (cells) row.cells = cells;
    const value = chunk.values?.[i];
    if (value !== undefined) row.value = value;
    const text = chunk.raw?.[i];
    if (typeof text === 'string') row.text = text;
  }
  if (chunk.status[i] === RAW && chunk.texts[i] !== '') (row as { error?: string }).error = chunk.texts[i];
  return row;
}
