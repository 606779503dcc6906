import { open } from 'node:fs/promises';
import { ReportReader } from './read.js';
import { REPORT_STATUSES } from './report-writer.js';
import type { RowStatus } from './report-writer.js';

/** Rows a run's report holds, by status: what reached the file, read back from it. */
export type RecordedCounts = Record<RowStatus, number>;

const zero = (): RecordedCounts => Object.fromEntries(REPORT_STATUSES.map((status) => [status, 0])) as RecordedCounts;

/**
 * The lines a run wrote to its report that reached the file whole, by status, read back from byte
 * `from` on (where this run began appending): asked only after a write failed (a full disk), when some
 * lines the run counted never reached the file, or reached it cut. A cut last line is not counted (the
 * next --resume cuts it off). A CSV report is never appended to, so it is read whole.
 */
export async function recordedCounts(path: string, from: number): Promise<RecordedCounts> {
  const counts = zero();
  if (path.toLowerCase().endsWith('.csv')) {
    for await (const entry of (await ReportReader.open(path)).entries()) counts[entry.status]++;
    return counts;
  }
  const file = await open(path, 'r');
  try {
    // Up to the file's size, not to a read of 0 bytes: a device (/dev/full) reads without end.
    const size = (await file.stat()).size;
    let rest = '';
    const chunk = Buffer.alloc(1024 * 1024);
    for (let at = from; at < size; ) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      const lines = (rest + chunk.toString('utf8', 0, bytesRead)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const status = /"status":"(\w+)"/.exec(line)?.[1] as RowStatus | undefined;
        if (status !== undefined && status in counts) counts[status]++;
      }
    }
  } finally {
    await file.close();
  }
  return counts;
}
