import { createReadStream, promises as fs } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { BulkError } from '../errors.js';
import { isRemote } from '../util/remote.js';
import { formatFromName } from './format-from-name.js';
import { openRemote } from './open-remote.js';
import type { OpenedInput, OpenOptions } from './source.js';


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
  let inflated = 0;
  const out = new Transform({
    highWaterMark: 256 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      inflated += chunk.length;
      callback(null, chunk);
    },
  });
  // node:zlib is loaded only for a .gz input.
  const { createGunzip } = await import('node:zlib');
  pipeline(raw, createGunzip(), out, () => undefined);
  // Closing destroys the end the reader sees, and the pipeline takes down the rest: the file stream
  // alone, destroyed without an error, would end nothing after it (Node 20's pipeline waits on), and
  // the reader would wait forever for rows, with nothing left to keep the process alive.
  const closeAll = (): void => {
    out.destroy();
    raw.destroy();
  };
  // What the decompressor took, not what the file stream holds read ahead of it (up to 256 KiB).
  const taken = (): number => raw.bytesRead - raw.readableLength;
  return { file: path, format, size, stream: out, bytesRead: taken, inflated: () => inflated, decompressed: true, close: closeAll };
}
