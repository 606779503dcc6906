import { Parser } from 'csv-parse';
import type { Info, Options } from 'csv-parse';
import type { TransformCallback } from 'node:stream';

/** A record as the reader takes it from the parser: its cells, and the line and byte count it ends at. */
export interface ParsedRecord {
  record: string[];
  info: Pick<Info, 'lines' | 'bytes'>;
}

/**
 * Line breaks inside a record's cells: `\r\n`, `\n` and a lone `\r` each count once. Also returns how
 * many were `\r\n`, because csv-parse counts a quoted `\r\n` as two lines (its `info.lines` drifts by
 * one for each), and the reader takes that drift back out.
 */
export function lineBreaksIn(cells: string[]): { breaks: number; crlf: number } {
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
export class KeepingParser extends Parser {
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
