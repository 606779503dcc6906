import type { Stats } from '../index.js';
import { formatDuration } from '../util/duration.js';

/**
 * `12,345 rows · 41% · ETA 1m05s · 8,120 rows/s · p99 41ms · invalid 3 · rejected 0 · failed 1`. The % and the
 * ETA come from the input bytes of the rows done (recorded), not from how far the reader has read ahead.
 */
export function progressLine(stats: Stats): string {
  const seconds = (Date.now() - stats.startedAt) / 1000;
  const rate = seconds > 0 ? stats.rows / seconds : 0;
  const parts = [`${stats.rows.toLocaleString('en-US')} rows`];
  if (stats.totalBytes) {
    const fraction = Math.min(1, stats.bytesDone / stats.totalBytes);
    parts.push(`${Math.floor(fraction * 100)}%`);
    const bytesPerSecond = seconds > 0 ? stats.bytesDone / seconds : 0;
    if (bytesPerSecond > 0 && fraction < 1) parts.push(`ETA ${formatDuration(((stats.totalBytes - stats.bytesDone) / bytesPerSecond) * 1000)}`);
  }
  parts.push(`${Math.round(rate).toLocaleString('en-US')} rows/s`);
  const latency = stats.latency?.quantiles();
  if (latency) parts.push(`p99 ${formatDuration(latency.p99)}`);
  parts.push(`invalid ${stats.invalid} · rejected ${stats.rejected} · failed ${stats.failed}`);
  if (stats.dropped > 0) parts.push(`dropped ${stats.dropped}`);
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
