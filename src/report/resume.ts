import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { ReportError } from '../errors.js';

/** Row numbers of one file, as a growable bitset: 10 million rows cost 1.25 MB. */
class RowSet {
  #bits = new Uint8Array(1024);

  add(row: number): void {
    const byte = row >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    this.#bits[byte] |= 1 << (row & 7);
  }

  has(row: number): boolean {
    const byte = row >>> 3;
    return byte < this.#bits.length && (this.#bits[byte] & (1 << (row & 7))) !== 0;
  }
}

/** What an existing report says was already done: the report is the journal. */
export class ResumeState {
  readonly #accepted = new Map<string, RowSet>();
  /** Input files the report describes. */
  readonly files = new Set<string>();
  lines = 0;
  /** Bytes of a torn last line that were cut off. */
  cut = 0;

  markAccepted(file: string, row: number): void {
    let rows = this.#accepted.get(file);
    if (!rows) this.#accepted.set(file, (rows = new RowSet()));
    rows.add(row);
  }

  isAccepted(file: string, row: number): boolean {
    return this.#accepted.get(file)?.has(row) ?? false;
  }
}

/**
 * Reads a report to resume from. A torn last line (the run was killed mid-write) is cut off first, so
 * the appended report stays valid NDJSON. Returns undefined when there is no report yet: `--resume`
 * then simply starts, so a cron line can always carry it.
 */
export async function readResumeState(path: string, inputs: readonly string[]): Promise<ResumeState | undefined> {
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReportError('BULK_REPORT_UNWRITABLE', `cannot read the report to resume (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
  if (path.toLowerCase().endsWith('.csv')) {
    throw new ReportError('BULK_REPORT_MISMATCH', '--resume needs an NDJSON report (.ndjson); a CSV report cannot be resumed', path);
  }
  const state = new ResumeState();
  if (size > 0) {
    const handle = await fs.open(path, 'r+');
    try {
      // Find the last newline; anything after it is a torn line.
      const tail = Buffer.alloc(Math.min(size, 64 * 1024));
      let end = size;
      for (;;) {
        const start = Math.max(0, end - tail.length);
        await handle.read(tail, 0, end - start, start);
        const index = tail.subarray(0, end - start).lastIndexOf(0x0a);
        if (index !== -1) {
          const keep = start + index + 1;
          if (keep < size) {
            await handle.truncate(keep);
            state.cut = size - keep;
          }
          break;
        }
        if (start === 0) {
          await handle.truncate(0);
          state.cut = size;
          break;
        }
        end = start;
      }
    } finally {
      await handle.close();
    }
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    let line: { file?: unknown; row?: unknown; status?: unknown };
    try {
      line = JSON.parse(text) as typeof line;
    } catch {
      throw new ReportError('BULK_REPORT_MISMATCH', `line ${state.lines + 1} of the report is not JSON: is this a bulk-submit report?`, path);
    }
    if (typeof line.file !== 'string' || typeof line.row !== 'number') {
      throw new ReportError('BULK_REPORT_MISMATCH', `line ${state.lines + 1} of the report has no file and row: is this a bulk-submit report?`, path);
    }
    state.lines++;
    state.files.add(line.file);
    if (line.status === 'accepted') state.markAccepted(line.file, line.row);
  }
  const unknown = [...state.files].filter((file) => !inputs.includes(file));
  if (unknown.length > 0) {
    throw new ReportError(
      'BULK_REPORT_MISMATCH',
      `the report describes ${unknown.map((f) => `"${f}"`).join(', ')}, not the files given; resume with the same files (as written there), or use another --report`,
      path,
    );
  }
  return state;
}
