import type { Stats } from '../index.js';
import { formatDuration } from '../util/duration.js';

/**
 * How far the run is, as a share of its rows, and the time left; undefined when the inputs' size is not
 * known (stdin, a pipe). The rows done (recorded, or skipped by --resume) over the rows the run will
 * have: those taken from the preparing stage so far, scaled by how far into the inputs they reach. Rows
 * of even size make that exact; once the stage has handed over its last row it is exact in any case.
 * Never 1 before the last row is done; the time left is the rows left at the rate of the rows done (time
 * spent waiting for the day's quota to reset left out of the rate, and the wait still to come added).
 */
export function progressOf(stats: Stats, now = Date.now()): { fraction: number; etaMs: number | undefined } | undefined {
  if (!stats.totalBytes || stats.bytesRead <= 0) return undefined;
  const done = stats.rows + stats.resumed;
  const total = stats.inputDone ? stats.rowsTaken : Math.max(stats.rowsTaken, (stats.rowsTaken * stats.totalBytes) / stats.bytesRead);
  if (total <= 0) return undefined;
  const finished = stats.inputDone && done >= stats.rowsTaken;
  const fraction = finished ? 1 : Math.min(done / total, 0.99);
  const rate = sendingRate(stats, now);
  // Waiting for the quota's reset (--at-quota wait), the rows left go once it is over.
  const waitLeft = stats.quotaWaitUntil === undefined ? 0 : Math.max(0, stats.quotaWaitUntil - now);
  return { fraction, etaMs: rate > 0 && !finished ? (Math.max(0, total - done) / rate) * 1000 + waitLeft : undefined };
}

/** Rows done a second, over the time the run was not waiting for the quota's reset. */
function sendingRate(stats: Stats, now: number): number {
  const seconds = (now - stats.startedAt - stats.quotaWaited(now)) / 1000;
  return seconds > 0 ? stats.rows / seconds : 0;
}

/**
 * `12,345 rows · 41% · ETA 1m05s · 8,120 rows/s · p99 41ms · invalid 3 · rejected 0 · failed 1`. The % and
 * the ETA follow the rows done (progressOf), not how far the reader has read ahead.
 */
export function progressLine(stats: Stats, now = Date.now()): string {
  const rate = sendingRate(stats, now);
  const parts = [`${stats.rows.toLocaleString('en-US')} rows`];
  const progress = progressOf(stats, now);
  if (progress) {
    parts.push(`${Math.floor(progress.fraction * 100)}%`);
    if (progress.etaMs !== undefined) parts.push(`ETA ${formatDuration(progress.etaMs)}`);
  }
  parts.push(`${Math.round(rate).toLocaleString('en-US')} rows/s`);
  const latency = stats.latency?.quantiles();
  if (latency) parts.push(`p99 ${formatDuration(latency.p99)}`);
  if (stats.adaptiveConcurrency && stats.concurrencyLimit !== undefined) parts.push(`limit ${stats.concurrencyLimit}`);
  parts.push(`invalid ${stats.invalid} · rejected ${stats.rejected} · failed ${stats.failed}`);
  if (stats.dropped > 0) parts.push(`dropped ${stats.dropped}`);
  if (stats.skipped > 0 || stats.resumed > 0) parts.push(`skipped ${stats.skipped + stats.resumed}`);
  if (stats.quotaWaitUntil !== undefined) parts.push(`waiting for the quota to reset at 00:00 UTC (in ${formatDuration(Math.max(0, stats.quotaWaitUntil - now))})`);
  return parts.join(' · ');
}

/**
 * Progress on stderr, polled from the stats so the pipeline pays nothing for it: an ora spinner on a
 * terminal; without one (cron, CI), a plain timestamped line every --progress-interval and nothing else.
 */
export async function startProgress(stats: Stats, flags: { quiet?: boolean | undefined; progressInterval: number; color: boolean }): Promise<() => void> {
  if (flags.quiet) return () => undefined;
  // A terminal that reports 0 columns (some ptys) cannot host a spinner: ora would clear "infinitely many"
  // wrapped lines. Plain lines then, as without a terminal.
  if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
    const timer = setInterval(() => process.stderr.write(`${new Date().toISOString()} bulk-submit: ${progressLine(stats)}\n`), flags.progressInterval);
    timer.unref();
    return () => clearInterval(timer);
  }
  const { default: ora } = await import('ora');
  const color = flags.color && !process.env['NO_COLOR'];
  const spinner = ora({ stream: process.stderr, discardStdin: false, color: color ? 'cyan' : false, isEnabled: true }).start('starting');
  // One line, never wrapped: a wrapped spinner line leaves a trail of copies (and a pty may report 0 columns).
  const width = (): number => Math.max(20, (process.stderr.columns || 80) - 3);
  const timer = setInterval(() => (spinner.text = progressLine(stats).slice(0, width())), 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    spinner.stop();
  };
}
