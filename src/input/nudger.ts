import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Where a CSV byte stream stands: inside a quoted cell or not, with the rules the reader gives csv-parse
 * (RFC 4180 quotes, `""` inside them; with relax_quotes a quote opens a cell only at its start, after
 * any trimmed blanks, and is a plain character anywhere else). Tracked here, from the bytes themselves,
 * so that nothing has to be read of the parser's own state, which is not its documented API.
 */
export class QuoteTracker {
  readonly #delimiter: number;
  readonly #trim: boolean;
  #inQuotes = false;
  /** Inside quotes, the last byte was a quote: the next decides (another quote: a literal one). */
  #quoteSeen = false;
  #atCellStart = true;

  constructor(delimiter: string, trim: boolean) {
    this.#delimiter = delimiter.charCodeAt(0);
    this.#trim = trim;
  }

  /** Inside a quoted cell: a line break here belongs to the cell. */
  get inQuotes(): boolean {
    return this.#inQuotes && !this.#quoteSeen;
  }

  update(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.#inQuotes) {
        if (!this.#quoteSeen) {
          if (b === QUOTE) this.#quoteSeen = true;
          continue;
        }
        this.#quoteSeen = false;
        if (b === QUOTE) continue; // `""`: a quote inside the cell
        this.#inQuotes = false; // the cell's closing quote: `b` is read as outside quotes
      }
      if (b === this.#delimiter || b === LF || b === CR) this.#atCellStart = true;
      else if (b === QUOTE && this.#atCellStart) {
        this.#inQuotes = true;
        this.#atCellStart = false;
      } else if (!(this.#trim && this.#atCellStart && (b === SPACE || b === TAB))) this.#atCellStart = false;
    }
  }
}

/**
 * Blank lines added after a pause: more than csv-parse ever waits for past a line break with the
 * reader's options (a record delimiter of up to two bytes, `\r\n`; a one-byte cell delimiter and quote;
 * a three-byte BOM at the very start). Extra blank lines cost nothing: the parser skips them.
 */
const NUDGE = '\n\n\n\n';
/** The last bytes passed on, checked for a quote before nudging (see #arm). */
const TAIL = 8;

/**
 * A row written to a live pipe (stdin, a FIFO) comes out when its line ends, not when the next line
 * comes. csv-parse looks a few characters past a record's last line break before it emits the record
 * (the `\n` could begin a longer delimiter, for all it knows), so the last row written would wait for
 * the next one, however long that takes. When the input pauses right after a line break outside quotes
 * (QuoteTracker), this adds blank lines, which the parser skips (its documented `skip_empty_lines`) and
 * the reader takes back out of its line and byte counts: `injected` holds where each went, in parser
 * bytes. Files are read to their end without pause: only a live input goes through this.
 */
export class Nudger extends Transform {
  readonly injected: number[] = [];
  readonly #quotes: QuoteTracker;
  readonly #parser: NodeJS.WritableStream & { readonly writableLength: number };
  readonly #idleMs: number;
  #offset = 0;
  #endsLine = false;
  #tail: Buffer = Buffer.alloc(0);
  #timer: NodeJS.Timeout | undefined;

  constructor(parser: NodeJS.WritableStream & { readonly writableLength: number }, quotes: QuoteTracker, idleMs: number) {
    super();
    this.#parser = parser;
    this.#quotes = quotes;
    this.#idleMs = idleMs;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    clearTimeout(this.#timer);
    this.#quotes.update(chunk);
    this.#offset += chunk.length;
    this.#endsLine = chunk.length > 0 && chunk[chunk.length - 1] === LF;
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
      // Only once the parser has taken every byte passed on (public stream state): it then holds at most
      // the few it looks ahead for.
      if (this.readableLength > 0 || this.#parser.writableLength > 0) {
        this.#arm();
        return;
      }
      // A line break inside a quoted cell is part of the cell: a blank line added there would be too.
      // A quote among the last bytes is left alone as well, in case the input's quoting is unusual.
      if (this.#quotes.inQuotes || this.#tail.includes(QUOTE)) return;
      this.#endsLine = false;
      for (let i = 0; i < NUDGE.length; i++) this.injected.push(this.#offset + i);
      this.#offset += NUDGE.length;
      this.push(Buffer.from(NUDGE));
    }, this.#idleMs);
    this.#timer.unref();
  }
}
