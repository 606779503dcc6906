import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { PassThrough, pipeline } from 'node:stream';
import { BulkError } from '../errors.js';
import { numberDefault } from '../options/index.js';
import { inputName, isRemote, remotePath } from '../util/remote.js';
import { HARD_CAP_FACTOR } from './csv.js';
import type { Format, OpenedInput } from './types.js';

/** Picks the format from the file name: `.csv`, `.ndjson`, `.jsonl`, each optionally `.gz`. */
export function formatFromName(name: string): Format | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv') || base.endsWith('.tsv') || base.endsWith('.txt')) return 'csv';
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl') || base.endsWith('.json')) return 'ndjson';
  return undefined;
}

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

/**
 * Opens a remote input: `s3://bucket/key` with the AWS SDK, `http(s)://…` with undici, each loaded only
 * now. The format and gzip come from the URL's path (or the key), as from a file's name.
 */
async function openRemote(name: string, options: OpenOptions): Promise<OpenedInput> {
  const file = inputName(name);
  const path = remotePath(name) ?? '';
  const format = options.format ?? formatFromName(path);
  if (!format) {
    throw new BulkError('BULK_FORMAT_UNKNOWN', "cannot tell the format from the name: end the URL's path (or the S3 key) in .csv, .ndjson or .jsonl (optionally .gz), or pass --format", { file });
  }
  const remote = {
    format,
    gzipByName: path.toLowerCase().endsWith('.gz'),
    ca: options.ca,
    hold: (options.maxRecordSize ?? numberDefault('max-record-size')) * HARD_CAP_FACTOR,
  };
  if (/^s3:/i.test(name)) return (await import('./s3.js')).openS3(name, file, remote);
  return (await import('./http.js')).openHttp(name, file, remote);
}

/**
 * Opens a file (or `-` for stdin, or a URL) as a byte stream, gunzipping `.gz` files. Everything that
 * can be checked before reading (existence, type, permission, format; a download's answer) is checked
 * here, so a bad file is refused before anything is sent.
 */
export async function openInput(path: string, options: OpenOptions = {}): Promise<OpenedInput> {
  if (isRemote(path)) return openRemote(path, options);
  const isStdin = path === '-';
  const format = options.format ?? (isStdin ? undefined : formatFromName(path));
  if (!format) {
    throw new BulkError('BULK_FORMAT_UNKNOWN', isStdin
        ? 'reading stdin needs --format csv or --format ndjson'
        : 'cannot tell the format from the file name: name it .csv, .ndjson or .jsonl (optionally .gz), or pass --format', { file: path });
  }
  if (isStdin) {
    const stdin = options.stdin ?? process.stdin;
    // No 'data' listener to count bytes: it would switch the stream to flowing mode and lose what
    // arrives before the reader attaches. Stdin has no size anyway, so progress shows no percentage.
    return { file: '-', format, size: undefined, stream: stdin, bytesRead: () => 0, close: () => stdin.pause() };
  }

  let size: number | undefined;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new BulkError('BULK_FILE_UNREADABLE', 'is a directory, not a file', { file: path });
    size = stat.isFile() ? stat.size : undefined;
    // Opening now (not lazily in the stream) turns EACCES into a clear error before anything is sent.
    // Not for a FIFO: opening it and closing again would cut off the writer at the other end.
    if (stat.isFile()) {
      const handle = await fs.open(path, 'r');
      await handle.close();
    }
  } catch (error) {
    if (error instanceof BulkError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BulkError('BULK_FILE_NOT_FOUND', 'no such file', { file: path, line: undefined, cause: error });
    throw new BulkError('BULK_FILE_UNREADABLE', `cannot read the file (${code ?? String(error)})`, { file: path, line: undefined, cause: error });
  }

  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  // fs.ReadStream counts for us; a 'data' listener here would start the flow before the reader attaches.
  const bytesRead = (): number => raw.bytesRead;
  const close = (): void => {
    raw.destroy();
  };
  if (!path.toLowerCase().endsWith('.gz')) {
    return { file: path, format, size, stream: raw, bytesRead, close };
  }
  // pipeline() forwards an error from either side (a truncated or corrupt gzip) to the output stream,
  // so the reader sees it as a failed read instead of a silent early end.
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  // node:zlib is loaded only for a .gz input.
  const { createGunzip } = await import('node:zlib');
  pipeline(raw, createGunzip(), out, () => undefined);
  // What the decompressor took, not what the file stream holds read ahead of it (up to 256 KiB).
  const taken = (): number => raw.bytesRead - raw.readableLength;
  return { file: path, format, size, stream: out, bytesRead: taken, decompressed: true, close };
}
