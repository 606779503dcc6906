import { createReadStream, promises as fs } from 'node:fs';
import { BulkError } from '../errors.js';

/** A digest as the report writes it: 16 hex digits. */
const DIGEST = /^[0-9a-f]{16}$/;

/**
 * The digests of one file's accepted rows, by row number: 64 bits each, in two Uint32 halves, beside a
 * bitset of which rows are accepted (10 million rows cost 81 MB); and the highest row the report names.
 * The preparing stage checks the input against them (prepare/done.ts reads this same shape).
 */
export interface AcceptedRows {
  digests: Uint32Array;
  accepted: Uint8Array;
  maxRow: number;
}

/** A copy of `array`, at least `length` long (doubling, so growing row by row stays linear). */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2));
  copy.set(array);
  return copy;
}

/** A generated eventId (`bs-` + 40 hex digits), of either rule. */
const GENERATED = /^bs-[0-9a-f]{40}$/;

/** What an existing report says was already done: the report is the journal. */
export class ResumeState {
  readonly #files = new Map<string, AcceptedRows>();
  lines = 0;
  /**
   * How the report's rows got their eventIds, when its lines tell: `position` when a generated id and
   * the row's digest come from one hash (the id's first 16 hex digits are the digest: bulk-submit before
   * content ids, or --event-ids position), `content` when they do not; undefined when no line has a
   * generated id. The rows a resumed run sends again must keep it, or a row stored before its answer
   * was lost would be stored again under a new id.
   */
  eventIds: 'content' | 'position' | undefined;
  /** Bytes of a torn last line that were cut off. */
  cut = 0;

  /** Input files the report describes. */
  get files(): string[] {
    return [...this.#files.keys()];
  }

  /** Notes the rule a line's generated eventId was made by: one line by the position rule makes the report's rule position. */
  noteEventId(eventId: unknown, digest: unknown): void {
    if (this.eventIds === 'position' || typeof eventId !== 'string' || typeof digest !== 'string' || !GENERATED.test(eventId)) return;
    this.eventIds = eventId.slice(3, 19) === digest ? 'position' : 'content';
  }

  /** Notes a report line: any row raises the file's extent; a done one (accepted, or a duplicate of such) keeps its digest (16 hex digits). */
  note(file: string, row: number, acceptedDigest: string | undefined): void {
    let rows = this.#files.get(file);
    if (!rows) this.#files.set(file, (rows = { digests: new Uint32Array(2048), accepted: new Uint8Array(128), maxRow: 0 }));
    rows.maxRow = Math.max(rows.maxRow, row);
    if (acceptedDigest === undefined) return;
    if (row * 2 + 1 >= rows.digests.length) rows.digests = grown(rows.digests, row * 2 + 2);
    if (row >>> 3 >= rows.accepted.length) rows.accepted = grown(rows.accepted, (row >>> 3) + 1);
    // The same split into halves as prepare/done.ts makes of the input's digest (it cannot import report/).
    rows.digests[row * 2] = Number.parseInt(acceptedDigest.slice(0, 8), 16);
    rows.digests[row * 2 + 1] = Number.parseInt(acceptedDigest.slice(8, 16), 16);
    rows.accepted[row >>> 3] |= 1 << (row & 7);
  }

  /** Per input, the accepted rows' digests and the report's extent, as plain data for the preparing stage. */
  accepted(): Record<string, AcceptedRows> {
    return Object.fromEntries(this.#files);
  }
}

/**
 * Cuts off a torn last line (the run was killed mid-write), so the appended report stays valid NDJSON.
 * Returns how many bytes were cut.
 */
async function cutTornLine(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const handle = await fs.open(path, 'r+');
  try {
    // Find the last newline, reading back from the end; anything after it is a torn line.
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    for (let end = size; ; ) {
      const start = Math.max(0, end - tail.length);
      await handle.read(tail, 0, end - start, start);
      const index = tail.subarray(0, end - start).lastIndexOf(0x0a);
      const keep = index !== -1 ? start + index + 1 : start === 0 ? 0 : undefined;
      if (keep !== undefined) {
        if (keep < size) await handle.truncate(keep);
        return size - keep;
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
}

/** Notes one report line in `state`; refuses a line that is not one of ours, or an accepted row without a digest. */
function noteLine(state: ResumeState, text: string, path: string): void {
  let line: { file?: unknown; row?: unknown; status?: unknown; digest?: unknown; eventId?: unknown };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    throw new BulkError('BULK_REPORT_MISMATCH', `line ${state.lines + 1} of the report is not JSON: is this a bulk-submit report?`, { file: path });
  }
  if (typeof line.file !== 'string' || typeof line.row !== 'number') {
    throw new BulkError('BULK_REPORT_MISMATCH', `line ${state.lines + 1} of the report has no file and row: is this a bulk-submit report?`, { file: path });
  }
  state.lines++;
  // A duplicate is done like an accepted row (the row it repeats carries its record), and so is a row
  // skipped because the ledger holds its eventId (the service accepted it in an earlier run).
  const done = line.status === 'accepted' || line.status === 'duplicate' || line.status === 'skipped';
  if (done && !(typeof line.digest === 'string' && DIGEST.test(line.digest))) {
    throw new BulkError('BULK_REPORT_MISMATCH', `line ${state.lines} of the report has an accepted row without a digest (written by an older bulk-submit): --resume cannot check the input against it; finish this report with the version that wrote it, or start a new --report`, { file: path });
  }
  state.noteEventId(line.eventId, line.digest);
  state.note(line.file, line.row, done ? (line.digest as string) : undefined);
}

/**
 * Reads a report to resume from, after cutting off a torn last line. Returns undefined when there is no
 * report yet: `--resume` then simply starts, so a cron line can always carry it. A report that
 * describes other inputs than those given is refused.
 */
export async function readResumeState(path: string, inputs: readonly string[]): Promise<ResumeState | undefined> {
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BulkError('BULK_REPORT_UNWRITABLE', `cannot read the report to resume (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: path });
  }
  if (path.toLowerCase().endsWith('.csv')) {
    throw new BulkError('BULK_REPORT_MISMATCH', '--resume needs an NDJSON report (.ndjson); a CSV report cannot be resumed', { file: path });
  }
  const state = new ResumeState();
  state.cut = await cutTornLine(path, size);
  // Loaded here: only a resumed run reads a report, and node:readline costs every other start.
  const { createInterface } = await import('node:readline');
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (text.trim() !== '') noteLine(state, text, path);
  }
  const unknown = state.files.filter((file) => !inputs.includes(file));
  if (unknown.length > 0) {
    throw new BulkError('BULK_REPORT_MISMATCH', `the report describes ${unknown.map((f) => `"${f}"`).join(', ')}, not the files given; resume with the same files (as written there), or use another --report`, { file: path });
  }
  return state;
}
