import { parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { InputError } from '../errors.js';
import type { OpenedInput, Source, SourceRow } from './types.js';

export interface CsvOptions {
  /** Cell delimiter; default `,`. */
  delimiter?: string | undefined;
  /** Trim whitespace around unquoted cells (default true). */
  trim?: boolean | undefined;
  /** Largest record in bytes before it is an error (default 1 MiB). */
  maxRecordSize?: number | undefined;
}

interface ParsedRecord {
  record: string[];
  info: Info;
}

/** Counts line breaks inside a record's cells: `\r\n`, `\n` and a lone `\r` each count once. */
function lineBreaksIn(cells: string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (cell.length < 2 && cell !== '\n' && cell !== '\r') continue;
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) breaks++;
    if (cell.includes('\r')) {
      for (let i = cell.indexOf('\r'); i !== -1; i = cell.indexOf('\r', i + 1)) if (cell[i + 1] !== '\n') breaks++;
    }
  }
  return breaks;
}

/**
 * Reads a CSV byte stream with csv-parse. The first record is the header; each later record becomes a
 * SourceRow whose `line` is the physical line the record starts on (csv-parse reports the line it ends
 * on, so the line breaks inside quoted cells are subtracted). A row whose cell count differs from the
 * header is yielded with an error and the file goes on; a parse error that csv-parse cannot recover
 * from ends the file with one error row at the line where it happened.
 */
export async function openCsv(input: OpenedInput, options: CsvOptions = {}): Promise<Source> {
  const parser = parse({
    bom: true,
    info: true,
    delimiter: options.delimiter ?? ',',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    trim: options.trim ?? true,
    max_record_size: options.maxRecordSize ?? 1024 * 1024,
  });
  input.stream.on('error', (error) => parser.destroy(error));
  input.stream.pipe(parser);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  const file = input.file;

  let first: IteratorResult<ParsedRecord>;
  try {
    first = await records.next();
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
    try {
      for (;;) {
        const next = await records.next();
        if (next.done) return;
        const { record, info } = next.value;
        row++;
        const line = info.lines - lineBreaksIn(record);
        lastLine = info.lines;
        if (record.length !== width) {
          yield { file, line, row, cells: record, error: `row has ${record.length} cells but the header has ${width}` };
        } else {
          yield { file, line, row, cells: record };
        }
      }
    } catch (error) {
      const err = error as Error & { lines?: number; code?: string };
      yield {
        file,
        line: typeof err.lines === 'number' ? err.lines : lastLine + 1,
        row: row + 1,
        error: `cannot read the rest of the file after ${row} rows: ${err.message}`,
      };
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
