import type { Readable } from 'node:stream';

export type Format = 'csv' | 'ndjson';

/** One data row as read from a file, before mapping. */
export interface SourceRow {
  /** Input name as the user gave it; `-` for stdin. */
  readonly file: string;
  /** 1-based physical line where the row starts. */
  readonly line: number;
  /** 1-based data row number within the file (header and blank lines not counted). */
  readonly row: number;
  /** CSV: the row's cells, in header order. */
  readonly cells?: string[];
  /** NDJSON: the parsed value of the line (anything JSON, checked later). */
  readonly value?: unknown;
  /** NDJSON: the line as read, for the rejects file. */
  readonly text?: string;
  /** A reader-level problem (unparsable line, ragged row, broken file): the row is invalid. */
  readonly error?: string;
  /**
   * No row here: the input was cut off before this row (a download broken midway), the rows before it
   * were all read. Why, in words naming the input and the row; the input ends with it.
   */
  readonly cut?: string;
}

/** An opened input whose header (for CSV) has been read, ready to yield rows. */
export interface Source {
  readonly file: string;
  readonly format: Format;
  /** CSV header cells; null for NDJSON. */
  readonly header: string[] | null;
  /** Size of the file on disk (compressed size for .gz); undefined for stdin and pipes. */
  readonly size: number | undefined;
  /**
   * How far into the input the rows yielded so far reach, in the units of `size`, for progress: the
   * parser's own byte offset after the last row (not what the file stream has read ahead, up to 256 KiB
   * more); for a gzip stream, the compressed bytes handed to the decompressor.
   */
  readonly position: () => number;
  /** The data rows; reading stops when the consumer stops pulling (backpressure). */
  readonly rows: AsyncIterable<SourceRow>;
  /** Releases the file if the rows are not read to the end. */
  readonly close: () => void;
}

/** A byte stream opened from a path, stdin or a URL, decompressed when needed. */
export interface OpenedInput {
  /** The name as outputs show it: as given, with a URL's credentials masked. */
  readonly file: string;
  readonly format: Format;
  readonly size: number | undefined;
  readonly stream: Readable;
  /** Bytes read so far (compressed bytes for a gzip stream, up to the decompressor). */
  readonly bytesRead: () => number;
  /** A gzip stream, decompressed here: the parsers' byte offsets are not the input's. */
  readonly decompressed?: boolean;
  /** A gzip stream: the decompressed bytes it has given so far, against `bytesRead()` compressed ones. */
  readonly inflated?: () => number;
  /** A download: why it broke off, once the stream ended early (undefined while it has not). */
  readonly cut?: () => string | undefined;
  readonly close: () => void;
}

/** How an input is opened. */
export interface OpenOptions {
  /** Overrides the format taken from the file name; required for stdin. */
  format?: Format | undefined;
  /** What `-` reads; defaults to process.stdin. */
  stdin?: Readable | undefined;
  /** Extra trusted CA certificates (PEM) for https:// inputs (`--ca`). */
  ca?: string | undefined;
  /** Largest record in bytes (--max-record-size): a download holds back at most a few times this of a part line. */
  maxRecordSize?: number | undefined;
}
