/**
 * The preparing stage, sealed: inputs in (read → map → transform → validate → serialise), parcels out,
 * ready to send: request bodies built once, with their rows' file, line, row, eventId and digest, and
 * the rows finished here (invalid, valid for validate, dropped by --transform, or a duplicate of an earlier row) with their report error. How it uses threads is its
 * own business; nothing outside this folder knows how rows are packed.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { isRemote } from '../util/remote.js';
import { prepareHere } from './prepare-here.js';
import { prepareInThreads } from './prepare-in-threads.js';
import { stageMemory } from './stage-memory.js';
import type { Parcel } from './parcel.js';
import type { PrepareSettings, SourceInfo } from './prepare-settings.js';

export type { Parcel, ParcelRows, ParcelRow, KeptCells, StageStop } from './parcel.js';
export { ParcelView, subsetBody, transferables } from './parcel.js';
export type { PrepareSettings, ReadSettings, SourceInfo } from './prepare-settings.js';
export type { EventIdRule } from '../mapping/index.js';
export type { AcceptedRowsData, DoneRowsData } from './done-rows.js';
export { loadRecordSpec } from './record-spec.js';
export { stageMemory } from './stage-memory.js';
export type { StageMemory } from './stage-memory.js';
export type { RecordSpec } from './record-spec.js';

/** The preparing stage as the sending side sees it. */
export interface PreparedInput {
  /** The inputs, opened (CSV headers read and resolved): parcels name them by index. */
  readonly sources: readonly SourceInfo[];
  /** The parcels, in input order; one consumer. Throws what stopped the stage, after the parcels before it. */
  parcels(): AsyncGenerator<Parcel>;
  /** Stops reading and ends the stage; safe to call at any time, more than once. */
  close(): Promise<void>;
}

/**
 * Inputs up to this many bytes are prepared on the main thread: two threads cost about a tenth of a
 * second to start and load, more than they save on a small file (a gzipped file counts GZIP_FACTOR
 * times its size; stdin and pipes, whose size is unknown, always get the threads, and so do remote
 * inputs: their size is known only once the download starts, and their network stack, undici or the AWS
 * SDK, then loads in the reading thread, off the main one).
 */
const IN_THREAD_MAX_BYTES = 1024 * 1024;
const GZIP_FACTOR = 8;

/** Are the inputs small enough to prepare on the main thread? */
async function small(files: readonly string[]): Promise<boolean> {
  if (files.some((file) => file === '-' || isRemote(file))) return false;
  let bytes = 0;
  for (const file of files) {
    // A file that cannot be stat'ed is refused by the reader in a moment; no thread is needed for that.
    const info = await stat(file).catch(() => undefined);
    if (info && !info.isFile()) return false;
    bytes += (info?.size ?? 0) * (file.toLowerCase().endsWith('.gz') ? GZIP_FACTOR : 1);
  }
  return bytes <= IN_THREAD_MAX_BYTES;
}

/**
 * Opens the stage: every input opened, every header resolved and the --transform module loaded before
 * it resolves, so a bad file, header or module is refused (rejects with its typed error) before anything
 * is sent.
 */
export async function openPrepared(settings: PrepareSettings, stdin?: Readable): Promise<PreparedInput> {
  const memory = stageMemory();
  return (await small(settings.files)) ? prepareHere(settings, stdin, memory.ahead) : prepareInThreads(settings, stdin, memory);
}
