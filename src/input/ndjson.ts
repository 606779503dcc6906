import { createInterface } from 'node:readline';
import type { OpenedInput, Source, SourceRow } from './types.js';

export interface NdjsonOptions {
  /** Longest line in bytes before it is an invalid row (default 1 MiB). */
  maxRecordSize?: number | undefined;
}

/** Names a JSON value's kind for messages: `array`, `null`, `string`, … */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Reads NDJSON: one JSON object a line. Blank lines are skipped (but counted for `line`); a line that
 * is not valid JSON, or not an object, becomes an invalid row and the lines around it go on.
 */
export function openNdjson(input: OpenedInput, options: NdjsonOptions = {}): Source {
  const file = input.file;
  const maxRecordSize = options.maxRecordSize ?? 1024 * 1024;

  async function* rows(): AsyncGenerator<SourceRow> {
    input.stream.setEncoding('utf8');
    const lines = createInterface({ input: input.stream, crlfDelay: Infinity });
    let line = 0;
    let row = 0;
    try {
      for await (const rawLine of lines) {
        line++;
        let text = rawLine;
        if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text.trim() === '') continue;
        row++;
        if (text.length > maxRecordSize && Buffer.byteLength(text) > maxRecordSize) {
          yield { file, line, row, text: text.slice(0, 200), error: `line is longer than --max-record-size (${maxRecordSize} bytes)` };
          continue;
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          yield { file, line, row, text, error: `not valid JSON: ${(error as Error).message}` };
          continue;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          yield { file, line, row, text, value, error: `line is not a JSON object (got ${kindOf(value)})` };
          continue;
        }
        yield { file, line, row, text, value };
      }
    } catch (error) {
      yield { file, line: line + 1, row: row + 1, error: `cannot read the rest of the file after ${row} rows: ${(error as Error).message}` };
    } finally {
      lines.close();
      input.close();
    }
  }

  return { file, format: 'ndjson', header: null, size: input.size, bytesRead: input.bytesRead, rows: rows(), close: input.close };
}
