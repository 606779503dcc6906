import { Parser } from 'csv-parse';
import type { Info, Options } from 'csv-parse';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { InputError } from '../errors.js';
import { flagDefault, numberDefault } from '../options.js';
import { Utf8Guard, detectDelimiter, openBytes } from './bytes.js';
import type { OpenedInput, Source, SourceRow } from './types.js';

export interface CsvOptions {
  /** Cell delimiter; detected from the header line (`,` `;` tab `|`) when not given. */
  delimiter?: string | undefined;
  /** `utf8` (default: invalid bytes make a row invalid) or `latin1` (any byte is a character). */
  encoding?: 'utf8' | 'latin1' | undefined;
  /** Trim whitespace around unquoted cells (default true). */
  trim?: boolean | undefined;
  /** Largest record in bytes before it is an error (default 1 MiB). */
  maxRecordSize?: number | undefined;
}

/** How far past --max-record-size the parser looks for a record's end before giving up on the file. */
const HARD_CAP_FACTOR = 16;

interface ParsedRecord {
  record: string[];
  info: Pick<Info, 'lines' | 'bytes'>;
}

/**
 * Line breaks inside a record's cells: `\r\n`, `\n` and a lone `\r` each count once. Also returns how
 * many were `\r\n`, because csv-parse counts a quoted `\r\n` as two lines (its `info.lines` drifts by
 * one for each), and the reader takes that drift back out.
 */
function lineBreaksIn(cells: string[]): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (const cell of cells) {
    const lf = cell.indexOf('\n');
    const cr = cell.indexOf('\r');
    if (lf === -1 && cr === -1) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10) breaks++;
      else if (c === 13) {
        breaks++;
        if (cell.charCodeAt(i + 1) === 10) {
          crlf++;
          i++;
        }
      }
    }
  }
  return { breaks, crlf };
}

/**
 * csv-parse, keeping the records it parsed before an error. The stock stream reports an error by
 * destroying itself, and a destroyed stream's async iterator drops the records still buffered, so the
 * rows before an unclosed quote would be lost with it. Here the error is kept aside and the stream
 * ends cleanly; the reader yields every buffered row, then the error.
 */
class KeepingParser extends Parser {
  failure: (Error & { lines?: number; code?: string }) | undefined;

  constructor(options: Options) {
    super(options);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) {
      callback();
      return;
    }
    super._transform(chunk, encoding, (error?: Error | null) => {
      if (error) {
        this.failure = error;
        this.push(null);
      }
      callback();
    });
  }

  /**
   * Each record goes out with the line and byte count it ends at, read from the parser's live `info`
   * as it is pushed: the same figures `info: true` gives, without the two object spreads per record
   * that option costs (an eighth of the parsing thread's time).
   */
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    const info = this.info;
    return super.push({ record: chunk, info: { lines: info.lines, bytes: info.bytes } }, encoding);
  }

  override _flush(callback: TransformCallback): void {
    if (this.failure) {
      callback();
      return;
    }
    super._flush((error?: Error | null) => {
      if (error) this.failure = error;
      callback();
    });
  }
}

/**
 * csv-parse looks one character past a record's last line break before it emits the record (the `\n`
 * could be half of a `\r\n`, for all it knows), so on a live pipe the last row written would wait for
 * the next one, however long that takes. When a live input (stdin, a FIFO) pauses right after a `\n`
 * outside quotes, this adds as many `\n` as the parser looks ahead: empty lines, which it skips and the
 * reader takes back out of its line and byte counts (`injected` holds where each went, in parser bytes).
 */
/** The part of csv-parse's internal state the nudger reads (csv-parse 5–7 keep it on `parser.state`). */
interface ParserState {
  quoting: boolean;
  needMoreDataSize: number;
  recordDelimiterMaxLength: number;
}

/** More than the parser ever holds back (its longest delimiter, quote or record delimiter, plus one). */
const TAIL = 8;

class Nudger extends Transform {
  readonly injected: number[] = [];
  readonly #parser: KeepingParser;
  readonly #idleMs: number;
  #offset = 0;
  #endsLine = false;
  /** The last bytes passed on: the parser may not have looked at them yet. */
  #tail: Buffer = Buffer.alloc(0);
  #timer: NodeJS.Timeout | undefined;

  constructor(parser: KeepingParser, idleMs: number) {
    super();
    this.#parser = parser;
    this.#idleMs = idleMs;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    clearTimeout(this.#timer);
    this.#offset += chunk.length;
    this.#endsLine = chunk.length > 0 && chunk[chunk.length - 1] === 10;
    this.#tail = Buffer.concat([this.#tail, chunk.subarray(Math.max(0, chunk.length - TAIL))]).subarray(-TAIL);
    callback(null, chunk);
    if (this.#endsLine) this.#arm();
  }

  override _flush(callback: TransformCallback): void {
    clearTimeout(this.#timer);
    callback();
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      if (!this.#endsLine || this.destroyed) return;
      // Only once the parser has taken every byte: its quoting state is then the state at the end.
      if (this.readableLength > 0 || this.#parser.writableLength > 0) {
        this.#arm();
        return;
      }
      const state = (this.#parser as unknown as { state?: Partial<ParserState> }).state;
      // Internal to csv-parse: if a later version moves these, rows simply wait for the next line.
      if (typeof state?.quoting !== 'boolean' || typeof state.needMoreDataSize !== 'number' || typeof state.recordDelimiterMaxLength !== 'number') return;
      // Its quoting state covers what it has looked at; a quote among the few bytes it holds back
      // could open a cell, and a `\n` added there would become part of the cell: then wait instead.
      if (state.quoting || this.#tail.includes(34)) return;
      this.#endsLine = false;
      // The parser wants this many characters after the held `\n` before it looks at it.
      const count = Math.max(1, state.needMoreDataSize, state.recordDelimiterMaxLength);
      for (let i = 0; i < count; i++) this.injected.push(this.#offset + i);
      this.#offset += count;
      this.push(Buffer.from('\n'.repeat(count)));
    }, this.#idleMs);
    this.#timer.unref();
  }
}

/**
 * Reads a CSV byte stream with csv-parse. The first record is the header; each later record becomes a
 * SourceRow whose `line` is the physical line the record starts on (csv-parse reports the line it ends
 * on, so the line breaks inside quoted cells are subtracted). A row whose cell count differs from the
 * header is yielded with an error and the file goes on; a parse error that csv-parse cannot recover
 * from ends the file with one error row at the line where it happened.
 */
export async function openCsv(input: OpenedInput, options: CsvOptions = {}): Promise<Source> {
  const file = input.file;
  const { start, stream: bytes } = await openBytes(input);
  const latin1 = options.encoding === 'latin1';
  const maxRecordSize = options.maxRecordSize ?? numberDefault('max-record-size');
  const guard = latin1 ? undefined : new Utf8Guard();
  const parser = new KeepingParser({
    bom: true,
    encoding: latin1 ? 'latin1' : 'utf8',
    // A quote inside an unquoted cell (5" screen) is a character, as spreadsheets write it.
    relax_quotes: true,
    delimiter: options.delimiter ?? detectDelimiter(start),
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    trim: options.trim ?? flagDefault('no-trim'),
    // The parser's own cap is 16 × --max-record-size: a record between the two is found whole and
    // reported invalid (the file goes on); only past the cap, where its end cannot be looked for
    // without holding unbounded memory (an unclosed quote), does it end the file.
    max_record_size: maxRecordSize * HARD_CAP_FACTOR,
  });
  // A read error (a truncated .gz) ends the parse like a parse error: rows before it still come out.
  const fail = (error: Error): void => {
    parser.failure ??= error;
    parser.end();
  };
  bytes.on('error', fail);
  let upstream: NodeJS.ReadableStream = bytes;
  if (guard) {
    guard.on('error', fail);
    upstream = bytes.pipe(guard);
  }
  // Files are read to their end without pause; only a live input needs nudging.
  const nudger = input.size === undefined ? new Nudger(parser, 20) : undefined;
  if (nudger) upstream = upstream.pipe(nudger);
  upstream.pipe(parser);
  /** `\n`s the nudger added before parser byte `at`. */
  let nudged = 0;
  const nudgedBefore = (at: number): number => {
    while (nudger && nudged < nudger.injected.length && nudger.injected[nudged] < at) nudged++;
    return nudged;
  };
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;

  let first: IteratorResult<ParsedRecord>;
  try {
    first = await records.next();
    if (first.done && parser.failure) throw parser.failure;
  } catch (error) {
    input.close();
    throw new InputError('BULK_FILE_UNREADABLE', `cannot read the header: ${(error as Error).message}`, file, 1, error);
  }
  if (first.done) {
    input.close();
    throw new InputError('BULK_FILE_EMPTY', 'the file is empty: a CSV file needs a header line', file);
  }
  const firstRecord: ParsedRecord = first.value;
  const header = firstRecord.record;
  const width = header.length;

  async function* rows(): AsyncGenerator<SourceRow> {
    let row = 0;
    let lastLine = firstRecord.info.lines;
    let lastByte = firstRecord.info.bytes - nudgedBefore(firstRecord.info.bytes);
    let drift = 0;
    try {
      for (;;) {
        const next = await records.next();
        if (next.done) {
          if (parser.failure) throw parser.failure;
          return;
        }
        const { record, info } = next.value;
        row++;
        const inside = lineBreaksIn(record);
        drift += inside.crlf;
        const added = nudgedBefore(info.bytes);
        const end = info.lines - drift - added;
        const line = end - inside.breaks;
        lastLine = end;
        const bytesTo = info.bytes - added;
        const bad = guard && guard.invalid.length > 0 ? guard.claim(lastByte, bytesTo) : -1;
        const size = bytesTo - lastByte;
        lastByte = bytesTo;
        if (size > maxRecordSize) {
          yield { file, line, row, error: `the record is ${size} bytes, larger than --max-record-size (${maxRecordSize} bytes); the rows around it go on` };
        } else if (bad >= 0) {
          yield { file, line, row, cells: record, error: `invalid UTF-8 at byte ${bad}: save the file as UTF-8, or pass --encoding latin1 if it is Latin-1` };
        } else if (record.length !== width) {
          yield { file, line, row, cells: record, error: `row has ${record.length} cells but the header has ${width}` };
        } else {
          yield { file, line, row, cells: record };
        }
      }
    } catch (error) {
      const err = error as Error & { lines?: number; code?: string };
      const at = lastLine + 1;
      const end = typeof err.lines === 'number' ? err.lines - drift : at;
      let message: string;
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        message = `unclosed quote: the quoted cell opened on line ${at} never closes, so it swallowed ${end - at + 1} physical lines to the end of the file; close the quote (or double a quote inside the cell as "")`;
      } else if (err.code === 'CSV_MAX_RECORD_SIZE') {
        message = `the record starting on line ${at} is larger than ${HARD_CAP_FACTOR} × --max-record-size (${maxRecordSize * HARD_CAP_FACTOR} bytes) without ending, likely an unclosed quote; the rest of the file (after ${row} rows) was not read`;
      } else {
        message = `cannot read the rest of the file after ${row} rows: ${err.message}`;
      }
      yield { file, line: at, row: row + 1, error: message };
    } finally {
      input.close();
    }
  }

  return {
    file,
    format: 'csv',
    header,
    size: input.size,
    bytesRead: input.bytesRead,
    rows: rows(),
    close: input.close,
  };
}
