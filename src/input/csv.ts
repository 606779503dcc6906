import { BulkError } from '../errors.js';
import { flagDefault, numberDefault } from '../options/index.js';
import { counted } from '../util/plural.js';
import { cutRow } from './cut-row.js';
import { detectDelimiter, openBytes } from './open-bytes.js';
import { Utf8Guard } from './utf8-guard.js';
import { KeepingParser, lineBreaksIn } from './csv-parser.js';
import type { ParsedRecord } from './csv-parser.js';
import { Nudger, QuoteTracker } from './nudger.js';
import { Position } from './position.js';
import type { OpenedInput, Source, SourceRow } from './source.js';

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

/** What lineBreaksIn() says of a record on one line. */
const NO_BREAKS = { breaks: 0, crlf: 0 };

/** How far past --max-record-size the parser looks for a record's end before giving up on the file. */
export const HARD_CAP_FACTOR = 16;

/** The parse of one input: csv-parse behind the UTF-8 guard (and, on a live input, the nudger). */
interface Parse {
  readonly parser: KeepingParser;
  readonly guard: Utf8Guard | undefined;
  /** `\n`s the nudger added before parser byte `at` (0 without a nudger); call with growing `at`. */
  readonly nudgedBefore: (at: number) => number;
}

function startParse(input: OpenedInput, bytes: NodeJS.ReadableStream, delimiter: string, options: CsvOptions, maxRecordSize: number): Parse {
  const latin1 = options.encoding === 'latin1';
  const trim = options.trim ?? flagDefault('no-trim');
  const parser = new KeepingParser({
    bom: true,
    encoding: latin1 ? 'latin1' : 'utf8',
    // A quote inside an unquoted cell (5" screen) is a character, as spreadsheets write it.
    relax_quotes: true,
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    trim,
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
  const guard = latin1 ? undefined : new Utf8Guard();
  let upstream = bytes;
  if (guard) {
    guard.on('error', fail);
    upstream = bytes.pipe(guard);
  }
  // Files are read to their end without pause; only a live input needs nudging.
  const nudger = input.size === undefined ? new Nudger(parser, new QuoteTracker(delimiter, trim), 20) : undefined;
  if (nudger) upstream = upstream.pipe(nudger);
  upstream.pipe(parser);
  let nudged = 0;
  const nudgedBefore = (at: number): number => {
    while (nudger && nudged < nudger.injected.length && nudger.injected[nudged] < at) nudged++;
    return nudged;
  };
  return { parser, guard, nudgedBefore };
}

/** The one error row that ends a file csv-parse cannot read on: where it happened, in words. */
function endOfReading(error: Error & { lines?: number; code?: string }, at: number, drift: number, row: number, maxRecordSize: number): string {
  const end = typeof error.lines === 'number' ? error.lines - drift : at;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return `unclosed quote: the quoted cell opened on line ${at} never closes, so it swallowed ${counted(end - at + 1, 'physical line')} to the end of the file; close the quote (or double a quote inside the cell as "")`;
  }
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return `the record starting on line ${at} is larger than ${HARD_CAP_FACTOR} × --max-record-size (${maxRecordSize * HARD_CAP_FACTOR} bytes) without ending, likely an unclosed quote; the rest of the file (after ${counted(row, 'row')}) was not read`;
  }
  return `cannot read the rest of the file after ${counted(row, 'row')}: ${error.message}`;
}

/**
 * The data rows after the header. Each row's `line` is the physical line the record starts on:
 * csv-parse reports the line it ends on, so the line breaks inside quoted cells are subtracted (and a
 * quoted `\r\n`, which it counts twice, once more). A row whose cell count differs from the header is
 * yielded with an error and the file goes on.
 */
async function* csvRows(input: OpenedInput, parse: Parse, records: AsyncIterator<ParsedRecord>, first: ParsedRecord, maxRecordSize: number, position: Position, closed: { readonly now: boolean }): AsyncGenerator<SourceRow> {
  const { file } = input;
  const width = first.record.length;
  let row = 0;
  let lastLine = first.info.lines;
  let lastByte = first.info.bytes - parse.nudgedBefore(first.info.bytes);
  let drift = 0;
  let parserLines = first.info.lines;
  try {
    for (let next = await records.next(); !next.done; next = await records.next()) {
      const { record, info } = next.value;
      row++;
      // A record that ended one line after the one before holds no line break (csv-parse counts each,
      // a lone \r too): only the others are scanned.
      const inside = info.lines - parserLines === 1 ? NO_BREAKS : lineBreaksIn(record);
      parserLines = info.lines;
      drift += inside.crlf;
      const added = parse.nudgedBefore(info.bytes);
      lastLine = info.lines - drift - added;
      const line = lastLine - inside.breaks;
      const bytesTo = info.bytes - added;
      const bad = parse.guard && parse.guard.invalid.length > 0 ? parse.guard.claim(lastByte, bytesTo) : -1;
      const size = bytesTo - lastByte;
      lastByte = bytesTo;
      position.parsed(bytesTo);
      if (size > maxRecordSize) {
        yield { file, line, row, error: `the record is ${size} bytes, larger than --max-record-size (${counted(maxRecordSize, 'byte')}); the rows around it go on` };
      } else if (bad >= 0) {
        yield { file, line, row, cells: record, error: `invalid UTF-8 at byte ${bad}: save the file as UTF-8, or pass --encoding latin1 if it is Latin-1` };
      } else if (record.length !== width) {
        yield { file, line, row, cells: record, error: `row has ${counted(record.length, 'cell')} but the header has ${width}` };
      } else {
        yield { file, line, row, cells: record };
      }
    }
    // A download cut off ends here, after its whole rows (a quote the cut left open is no error of the file's).
    const cut = cutRow(input, lastLine + 1, row + 1);
    if (cut) yield cut;
    else if (parse.parser.failure) throw parse.parser.failure;
  } catch (error) {
    // Closed by the consumer: the rest is not wanted, and its end is no error of the file's.
    if (closed.now) return;
    yield { file, line: lastLine + 1, row: row + 1, error: endOfReading(error as Error, lastLine + 1, drift, row, maxRecordSize) };
  } finally {
    position.ended();
    input.close();
  }
}

/** A download that broke off before its header line was whole: refused, as nothing was sent. */
function headerCut(input: OpenedInput): BulkError | undefined {
  const reason = input.cut?.();
  return reason === undefined ? undefined : new BulkError('BULK_FILE_UNREADABLE', `the download broke off before the header was read (${reason})`, { file: input.file, line: 1 });
}

/**
 * Reads a CSV byte stream with csv-parse: the header now (an empty or unreadable file is refused here,
 * before anything is sent), then the rows as they are asked for. A parse error that csv-parse cannot
 * recover from ends the file with one error row at the line where it happened.
 */
export async function openCsv(input: OpenedInput, options: CsvOptions = {}): Promise<Source> {
  const file = input.file;
  const { start, stream: bytes } = await openBytes(input);
  const maxRecordSize = options.maxRecordSize ?? numberDefault('max-record-size');
  const parse = startParse(input, bytes, options.delimiter ?? detectDelimiter(start), options, maxRecordSize);
  const records = parse.parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  let first: IteratorResult<ParsedRecord>;
  try {
    first = await records.next();
    if (first.done && parse.parser.failure) throw parse.parser.failure;
  } catch (error) {
    input.close();
    throw headerCut(input) ?? new BulkError('BULK_FILE_UNREADABLE', `cannot read the header: ${(error as Error).message}`, { file, line: 1, cause: error });
  }
  if (first.done) {
    input.close();
    throw headerCut(input) ?? new BulkError('BULK_FILE_EMPTY', 'the file is empty: a CSV file needs a header line', { file });
  }
  const position = new Position(input);
  const closed = { now: false };
  const rows = csvRows(input, parse, records, first.value, maxRecordSize, position, closed);
  // Closing ends the rows at once: the parser is destroyed too, not only the file under it, whose end
  // does not always reach the parser (a .gz input's decompressor between them swallows it).
  const close = (): void => {
    closed.now = true;
    input.close();
    parse.parser.destroy();
  };
  return { file, format: 'csv', header: first.value.record, size: input.size, position: position.at, rows, close };
}
