import type { Readable } from 'node:stream';
import { openSource } from '../input/index.js';
import type { Source, SourceRow } from '../input/index.js';
import { IDLE_FLUSH_MS, InTurn } from './hand-over.js';
import type { Outlet } from './hand-over.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';

/** Parsed rows of one input, column-wise, on their way to mapping. */
export interface ParsedChunk {
  /** The input (index into the sources). */
  readonly file: number;
  readonly rows: number[];
  readonly lines: number[];
  /** CSV cells, or null (NDJSON, or a row the reader could not split). */
  readonly cells: (string[] | null)[];
  /** NDJSON: the line's parsed value. */
  readonly values: unknown[];
  /** NDJSON: the line as read, kept only for the rejects file. */
  readonly texts: (string | null)[];
  /** A reader-level problem, making the row invalid; or null. */
  readonly errors: (string | null)[];
  /** How far into the inputs (all together, in bytes) the chunk's last row reaches: progress. */
  bytes: number;
  /** Set on an input's last chunk: how many rows it had (all of them, whatever --shard takes). */
  fileRows?: number;
  /** Set instead on the last chunk of an input that was cut off (a download broken midway): why, where; nothing after it is read. */
  cut?: string;
}

/** Rows per chunk, at most: fewer, larger messages between the threads cost less each row. */
const CHUNK_ROWS = 1024;

/** The reading end of the stage: every input opened (CSV headers read) before the first row. */
export interface ParseStage {
  readonly sources: SourceInfo[];
  /** Reads every row of every input into `outlet`, waiting whenever the taker is behind. */
  run(outlet: Outlet<ParsedChunk>): Promise<void>;
  close(): void;
}

/**
 * Opens every input, reading CSV headers: a file that cannot be read is refused here, before anything
 * is sent. Closes what it opened when one fails.
 */
export async function openParseStage(settings: PrepareSettings, stdin?: Readable): Promise<ParseStage> {
  const sources: Source[] = [];
  try {
    for (const file of settings.files) sources.push(await openSource(file, { ...settings.read, stdin }));
  } catch (error) {
    for (const source of sources) source.close();
    throw error;
  }
  const position = (): number => sources.reduce((sum, s) => sum + s.position(), 0);
  const keepText = settings.keepCells;
  const { shard } = settings;

  async function run(outlet: Outlet<ParsedChunk>): Promise<void> {
    for (let file = 0; file < sources.length; file++) {
      let chunk = newChunk(file);
      let timer: NodeJS.Timeout | undefined;
      const handOver = new InTurn(outlet);
      const flush = (end?: { fileRows: number } | { cut: string }): Promise<boolean> => {
        clearTimeout(timer);
        timer = undefined;
        const ready = chunk;
        if (ready.rows.length === 0 && end === undefined) return handOver.last;
        chunk = newChunk(file);
        ready.bytes = position();
        Object.assign(ready, end);
        return handOver.send(ready);
      };
      let rows = 0;
      for await (const row of sources[file].rows) {
        if (row.cut !== undefined) {
          // The input was cut off: its rows so far go, and the stage ends here, the inputs after it unread.
          if (await flush({ cut: row.cut })) outlet.end();
          return;
        }
        rows = row.row;
        if (shard && row.row % shard.count !== shard.index) continue;
        add(chunk, row, keepText);
        if (chunk.rows.length >= CHUNK_ROWS) {
          if (!(await flush())) return;
        } else {
          timer ??= setTimeout(() => void flush(), IDLE_FLUSH_MS);
        }
      }
      if (!(await flush({ fileRows: rows }))) return;
    }
    outlet.end();
  }

  return {
    sources: sources.map((s) => ({ file: s.file, format: s.format, header: s.header, size: s.size })),
    run,
    close: () => {
      for (const source of sources) source.close();
    },
  };
}

function newChunk(file: number): ParsedChunk {
  return { file, rows: [], lines: [], cells: [], values: [], texts: [], errors: [], bytes: 0 };
}

function add(chunk: ParsedChunk, row: SourceRow, keepText: boolean): void {
  chunk.rows.push(row.row);
  chunk.lines.push(row.line);
  chunk.cells.push(row.cells ?? null);
  chunk.values.push(row.value);
  chunk.texts.push(keepText ? (row.text ?? null) : null);
  chunk.errors.push(row.error ?? null);
}
