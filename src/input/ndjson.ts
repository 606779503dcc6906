import { isUtf8 } from 'node:buffer';
import { numberDefault } from '../options/index.js';
import { counted } from '../util/plural.js';
import { cutRow } from './cut-row.js';
import { openBytes } from './open-bytes.js';
import { firstInvalidUtf8 } from './utf8-guard.js';
import { Position } from './position.js';
import type { OpenedInput, Source, SourceRow } from './source.js';

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

/** A line of raw bytes, with the offset of its first byte; or a line too long to hold, skipped unread. */
type RawLine = { readonly bytes: Buffer; readonly start: number } | { readonly tooLong: true };

/**
 * Splits a byte stream on LF into lines, without decoding: a line longer than `max` bytes is never
 * held in memory whole (readline would buffer it all), only reported as too long. The last line may
 * lack its LF.
 */
async function* rawLines(bytes: AsyncIterable<Buffer>, max: number): AsyncGenerator<RawLine> {
  let chunkStart = 0; // absolute offset of the current chunk's first byte
  let lineStart = 0; // absolute offset where the current line begins
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let skipping = false; // inside a line already known to be too long
  for await (const chunk of bytes) {
    let from = 0;
    for (let newline = chunk.indexOf(0x0a, from); ; newline = chunk.indexOf(0x0a, from)) {
      if (newline === -1) {
        if (!skipping) {
          pending.push(chunk.subarray(from));
          pendingLength += chunk.length - from;
          if (pendingLength > max) [skipping, pending] = [true, []];
        }
        break;
      }
      const piece = chunk.subarray(from, newline);
      if (skipping || pendingLength + piece.length > max) yield { tooLong: true };
      else yield { bytes: pending.length === 0 ? piece : Buffer.concat([...pending, piece]), start: lineStart };
      [skipping, pending, pendingLength] = [false, [], 0];
      from = newline + 1;
      lineStart = chunkStart + from;
    }
    chunkStart += chunk.length;
  }
  if (skipping) yield { tooLong: true };
  else if (pendingLength > 0) yield { bytes: Buffer.concat(pending), start: lineStart };
}

/**
 * One line's row: blank lines are none; bytes that are not UTF-8, text that is not JSON, or JSON that
 * is not an object make an invalid row, and the lines around it go on.
 */
function lineRow(file: string, line: number, row: () => number, bytes: Buffer, start: number, latin1: boolean): SourceRow | undefined {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  const begin = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(begin, end);
  if (body.length === 0 || body.every((b) => b === 0x20 || b === 0x09)) return undefined;
  const at = row();
  if (!latin1 && !isUtf8(body)) {
    const offset = start + begin + firstInvalidUtf8(body);
    return { file, line, row: at, text: body.toString('latin1'), error: `invalid UTF-8 at byte ${offset}: save the file as UTF-8, or pass --encoding latin1 if it is Latin-1` };
  }
  const text = body.toString(latin1 ? 'latin1' : 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { file, line, row: at, text, error: `not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { file, line, row: at, text, value, error: `line is not a JSON object (got ${kindOf(value)})` };
  }
  return { file, line, row: at, text, value };
}

/**
 * Reads NDJSON: one JSON object a line. Lines are split on raw bytes (LF, with a CR before it dropped),
 * so a line can be checked for UTF-8 before decoding and an over-long line is skipped without ever being
 * held whole. Blank lines are skipped but counted for `line`.
 */
export async function openNdjson(input: OpenedInput, options: NdjsonOptions = {}): Promise<Source> {
  const file = input.file;
  const maxRecordSize = options.maxRecordSize ?? numberDefault('max-record-size');
  const latin1 = options.encoding === 'latin1';
  const { stream: bytes } = await openBytes(input);
  const position = new Position(input);

  async function* rows(): AsyncGenerator<SourceRow> {
    let line = 0;
    let row = 0;
    const nextRow = (): number => ++row;
    try {
      for await (const raw of rawLines(bytes as AsyncIterable<Buffer>, maxRecordSize)) {
        line++;
        if ('tooLong' in raw) {
          yield { file, line, row: nextRow(), error: `line is longer than --max-record-size (${counted(maxRecordSize, 'byte')})` };
          continue;
        }
        position.parsed(raw.start + raw.bytes.length + 1);
        const parsed = lineRow(file, line, nextRow, raw.bytes, raw.start, latin1);
        if (parsed) yield parsed;
      }
      const cut = cutRow(input, line + 1, row + 1);
      if (cut) yield cut;
    } catch (error) {
      // Closed by the consumer: the rest is not wanted, and its end is no error of the file's.
      if (closed) return;
      yield { file, line: line + 1, row: row + 1, error: `cannot read the rest of the file after ${counted(row, 'row')}: ${(error as Error).message}` };
    } finally {
      position.ended();
      input.close();
    }
  }

  // Closing ends the rows at once: the stream they are read from is destroyed too, not only the file
  // under it, whose end does not always reach it (a .gz input's decompressor between them swallows it).
  let closed = false;
  const close = (): void => {
    closed = true;
    input.close();
    bytes.destroy();
  };
  return { file, format: 'ndjson', header: null, size: input.size, position: position.at, rows: rows(), close };
}
