/** The input's format, which the rejects file is written in. */
type Format = 'csv' | 'ndjson';
import { csvLine } from './csv-text.js';
import type { FileSink } from './sink.js';

/** A row to write back: its line, and its input as read (CSV cells; NDJSON value and line text). */
export interface RejectedRow {
  readonly line: number;
  readonly cells?: readonly string[] | undefined;
  readonly value?: unknown;
  readonly text?: string | undefined;
}

/** Columns a rejects file adds in front of the row; they start with `_`, so re-reading ignores them. */
export const REJECT_COLUMNS = ['_line', '_error', '_eventId'] as const;
const OWN = new Set<string>(REJECT_COLUMNS);

/**
 * Writes every row that was not accepted in the input's own format, with its original cells, behind
 * `_line`, `_error` and `_eventId` columns: fix the cells and feed the file straight back. `_eventId`
 * is the id the row was sent with, which the next run reuses, so a row that was in fact stored before
 * its answer was lost (a 500 after the write) is not stored twice.
 */
export class RejectsWriter {
  readonly #sink: FileSink;
  readonly #format: Format;
  /** Indices of the input columns to copy (the input's own `_line`/`_error`/`_eventId` are replaced). */
  readonly #keep: number[];
  readonly #width: number;

  constructor(sink: FileSink, format: Format, header: readonly string[] | null) {
    this.#sink = sink;
    this.#format = format;
    this.#keep = [];
    this.#width = header?.length ?? 0;
    if (format === 'csv' && header) {
      header.forEach((name, i) => {
        if (!OWN.has(name)) this.#keep.push(i);
      });
      void sink.write(csvLine([...REJECT_COLUMNS, ...this.#keep.map((i) => header[i])]));
    }
  }

  get path(): string {
    return this.#sink.path;
  }

  /** The rejects file, for what went wrong writing it. */
  get sink(): FileSink {
    return this.#sink;
  }

  write(row: RejectedRow, error: string, eventId: string | null): Promise<void> | undefined {
    if (this.#format === 'csv') {
      const cells = row.cells ?? [];
      const kept = this.#keep.map((i) => cells[i]);
      // A ragged row keeps its extra cells, so nothing typed by the user is lost.
      for (let i = this.#width; i < cells.length; i++) kept.push(cells[i]);
      return this.#sink.write(csvLine([row.line, error, eventId, ...kept]));
    }
    const head = { _line: row.line, _error: error, _eventId: eventId };
    const value = row.value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const rest: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(value)) if (!OWN.has(key)) rest[key] = field;
      return this.#sink.write(`${JSON.stringify({ ...head, ...rest })}\n`);
    }
    return this.#sink.write(`${JSON.stringify({ ...head, _raw: row.text ?? null })}\n`);
  }

  flushSync(): void {
    this.#sink.flushSync();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}
