import { ChunkBuilder } from './chunk.js';
import type { Chunk } from './chunk.js';
import type { Preparer, RowSink } from './prepare.js';

/** How prepared rows are handed over: in chunks, at most `ahead` of them not yet taken. */
export interface PumpSettings {
  /** Chunks that may be handed over and not yet taken. */
  readonly ahead: number;
  readonly chunkRows: number;
  /** A partial chunk goes out after this long without a new row (ms). */
  readonly flushMs: number;
  /** Keep each row's cells in its chunk (for the rejects file, or for mapping on the other side). */
  readonly keepCells: boolean;
}

/** The taking side, as the pump sees it: a place for chunks, and credits that come back as they are taken. */
export interface ChunkPort {
  post(chunk: Chunk): void;
  /** Resolves once a credit came back (or the run stopped). */
  credit(): Promise<void>;
  /** Credits not yet spent. */
  readonly credits: number;
  readonly stopped: boolean;
  spend(): void;
}

/**
 * Reads every row of `preparer` into chunks and hands them to `port`, never more than `ahead` untaken:
 * the flow control that keeps memory flat (a slow taker holds the reader still). Used by the worker
 * thread and, for small inputs, on the main thread itself (see channel.ts).
 */
export async function pump(preparer: Preparer, settings: PumpSettings, port: ChunkPort): Promise<void> {
  const builder = new ChunkBuilder(settings.keepCells);
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const send = async (end?: { file: string; rows: number }): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (builder.size === 0 && !end) return;
    while (port.credits === 0 && !port.stopped) await port.credit();
    if (port.stopped) return;
    port.spend();
    port.post(builder.take(preparer.bytesRead(), end)!);
  };
  // One flush at a time, in order: a timer flush and a full-chunk flush never post out of turn.
  const flush = (end?: { file: string; rows: number }): Promise<void> => (flushing = flushing.then(() => send(end)));
  const sink: RowSink = {
    push(row, status, eventId, text, digest) {
      builder.add(row, status, eventId, text, digest);
      if (builder.size >= settings.chunkRows) return flush();
      // A partial chunk goes out after `flushMs` if no more rows come: a slow trickle on stdin flows.
      timer ??= setTimeout(() => void flush(), settings.flushMs);
      return undefined;
    },
    endOfFile: (file, rows) => flush({ file, rows }),
  };
  if (!port.stopped) await preparer.prepare(sink);
  await flushing;
  clearTimeout(timer);
}
