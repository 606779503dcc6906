import { isUtf8 } from 'node:buffer';
import { numberDefault } from '../options.js';
import { firstInvalidUtf8, openBytes } from './bytes.js';
import type { OpenedInput, Source, SourceRow } from './types.js';

export interface NdjsonOptions {
  /** Longest line in bytes before it is an invalid row (default 1 MiB). */
  maxRecordSize?: number | undefined;
  /** `utf8` (default: invalid bytes make a line invalid) or `latin1`. */
  encoding?: 'utf8' | 'latin1' | undefined;
}

/** Names a JSON value's kind for messages: `array`, `null`, `string`, … */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Reads NDJSON: one JSON object a line. Lines are split on raw bytes (LF, with a CR before it
 * dropped), so a line can be checked for UTF-8 before decoding and an over-long line is skipped
 * without ever being held in memory whole (readline would buffer it all). Blank lines are skipped but
 * counted for `line`; a line that is not valid JSON, or not an object, becomes an invalid row and the
 * lines around it go on.
 */
export async function openNdjson(input: OpenedInput, options: NdjsonOptions = {}): Promise<Source> {
  const file = input.file;
  const maxRecordSize = options.maxRecordSize ?? numberDefault('max-record-size');
  const latin1 = options.encoding === 'latin1';
  const { stream: bytes } = await openBytes(input);

  async function* rows(): AsyncGenerator<SourceRow> {
    let line = 0;
    let row = 0;
    let chunkStart = 0; // absolute offset of the current chunk's first byte
    let lineStart = 0; // absolute offset where the current line begins
    let pending: Buffer[] = [];
    let pendingLength = 0;
    let skipping = false; // inside a line already known to be too long

    function* finishLine(bytes: Buffer, lineStart: number): Generator<SourceRow> {
      line++;
      let end = bytes.length;
      if (end > 0 && bytes[end - 1] === 0x0d) end--;
      let begin = 0;
      if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) begin = 3;
      const body = bytes.subarray(begin, end);
      if (body.length === 0 || body.every((b) => b === 0x20 || b === 0x09)) return;
      row++;
      if (!latin1 && !isUtf8(body)) {
        const at = lineStart + begin + firstInvalidUtf8(body);
        yield { file, line, row, text: body.toString('latin1'), error: `invalid UTF-8 at byte ${at}: save the file as UTF-8, or pass --encoding latin1 if it is Latin-1` };
        return;
      }
      const text = body.toString(latin1 ? 'latin1' : 'utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield { file, line, row, text, error: `not valid JSON: ${(error as Error).message}` };
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { file, line, row, text, value, error: `line is not a JSON object (got ${kindOf(value)})` };
        return;
      }
      yield { file, line, row, text, value };
    }

    try {
      for await (const chunk of bytes as AsyncIterable<Buffer>) {
        let from = 0;
        for (;;) {
          const newline = chunk.indexOf(0x0a, from);
          if (newline === -1) {
            if (!skipping) {
              pending.push(chunk.subarray(from));
              pendingLength += chunk.length - from;
              if (pendingLength > maxRecordSize) {
                skipping = true;
                pending = [];
              }
            }
            break;
          }
          if (skipping) {
            line++;
            row++;
            skipping = false;
            yield { file, line, row, error: `line is longer than --max-record-size (${maxRecordSize} bytes)` };
          } else {
            const piece = chunk.subarray(from, newline);
            const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
            if (bytes.length > maxRecordSize) {
              line++;
              row++;
              yield { file, line, row, error: `line is longer than --max-record-size (${maxRecordSize} bytes)` };
            } else {
              yield* finishLine(bytes, lineStart);
            }
          }
          pending = [];
          pendingLength = 0;
          from = newline + 1;
          lineStart = chunkStart + from;
        }
        chunkStart += chunk.length;
      }
      if (skipping) {
        line++;
        row++;
        yield { file, line, row, error: `line is longer than --max-record-size (${maxRecordSize} bytes)` };
      } else if (pendingLength > 0) {
        yield* finishLine(Buffer.concat(pending), lineStart); // a last line without a newline
      }
    } catch (error) {
      yield { file, line: line + 1, row: row + 1, error: `cannot read the rest of the file after ${row} rows: ${(error as Error).message}` };
    } finally {
      input.close();
    }
  }

  return { file, format: 'ndjson', header: null, size: input.size, bytesRead: input.bytesRead, rows: rows(), close: input.close };
}
