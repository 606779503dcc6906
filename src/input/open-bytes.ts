import { Readable } from 'node:stream';
import { BulkError } from '../errors.js';
import type { OpenedInput } from './source.js';

/**
 * Reads the first chunk of a stream to look at the start of a file, and returns a stream that yields
 * that chunk and then the rest (not `unshift()`, which misbehaves on a stream that has already ended).
 */
async function peek(stream: Readable): Promise<{ start: Buffer; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const start = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield start;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { start, stream: Readable.from(all(), { objectMode: false }) };
}

/** A UTF-16 byte-order mark: such a file must be converted before it can be read. */
function isUtf16(start: Buffer): boolean {
  return start.length >= 2 && ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff));
}

/**
 * Picks the CSV delimiter from the header line: whichever of `,` `;` tab `|` occurs most often outside
 * quotes (a tie, or none at all, means `,`).
 */
export function detectDelimiter(start: Buffer): string {
  const text = start.subarray(0, Math.min(start.length, 64 * 1024)).toString('latin1');
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [char, count] of counts) if (count > counts.get(best)!) best = char;
  return best;
}

/**
 * Starts reading an input: its first bytes (for format checks) and a stream of all of it. A UTF-16
 * file is refused here, before anything is sent.
 */
export async function openBytes(input: OpenedInput): Promise<{ start: Buffer; stream: Readable }> {
  let peeked: { start: Buffer; stream: Readable };
  try {
    peeked = await peek(input.stream);
  } catch (error) {
    input.close();
    throw new BulkError('BULK_FILE_UNREADABLE', `cannot read the file: ${(error as Error).message}`, { file: input.file, line: undefined, cause: error });
  }
  if (isUtf16(peeked.start)) {
    input.close();
    throw new BulkError('BULK_FILE_ENCODING', 'the file is UTF-16 (it starts with a UTF-16 byte-order mark): convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8', { file: input.file });
  }
  return peeked;
}
