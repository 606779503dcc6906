import { writeFileSync } from 'node:fs';
import { DAILY_QUOTA } from '../index.js';
import type { Summary } from '../index.js';
import { formatDuration } from '../util/duration.js';
import { counted, thousands as n } from '../util/plural.js';

/** A summary as written for monitoring (--json, --summary): the library's, with the exit code the CLI chose. */
export function summaryJson(summary: object, exitCode: number): string {
  return `${JSON.stringify({ ...summary, exitCode })}\n`;
}

/** Writes the summary for monitoring, mode 0600 (it names files that hold customer data); says so on stderr when it cannot. */
export function writeSummaryFile(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o600 });
  } catch (error) {
    process.stderr.write(`bulk-submit: warning: cannot write the summary file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
  }
}

/** `1 request`, `12000 requests`. */
function requests(count: number): string {
  return `${count} request${count === 1 ? '' : 's'}`;
}

/**
 * A warning when the requests a validate or --dry-run says the run needs (all its shards together) are
 * more than the day's quota has left: past it every call gets 429 until 00:00 UTC. With a ledger, what
 * earlier runs spent today counts.
 */
export function quotaWarning(summary: Summary): string | undefined {
  const planned = summary.plannedBackfill?.requests ?? summary.plannedRequests;
  if (planned === null) return undefined;
  const quota = summary.quota;
  if (quota?.limit === null) return undefined;
  const limit = quota?.limit ?? DAILY_QUOTA.production;
  const spent = quota?.spentBefore ?? 0;
  if (planned <= limit - spent) return undefined;
  const whole = summary.plannedBackfill === null ? 'this run' : 'the whole backfill';
  const left = spent > 0 ? `, and ${n(spent)} of today's are spent already (ledger ${quota?.ledger ?? ''}${quota?.host ? `, ${quota.host}` : ''}): ${n(Math.max(0, limit - spent))} left` : '';
  const of = quota === null || quota.from === 'default' ? `the API's daily quota (${n(DAILY_QUOTA.production)} in production by default, ${n(DAILY_QUOTA.sandbox)} in sandbox)` : `the day's quota of ${n(limit)}${quota.from === 'option' ? ' (--daily-quota)' : ''}`;
  return `${whole} needs about ${requests(planned)}, more than ${of}${left}: past it every request gets 429 until 00:00 UTC; spread it over days (--at-quota wait goes on after the reset), or send larger batches (--batch-size)`;
}

/** `quota     4,060 of 10,000 requests to api.sandbox.asapp.com on 2026-12-05 (UTC); 1,000 of them by earlier runs (ledger nightly.ledger)`. */
function quotaText(summary: Summary): string | undefined {
  const quota = summary.quota;
  if (quota === null || (summary.requests === 0 && quota.spent === 0)) return undefined;
  const before = quota.ledger === null ? '' : `; ${n(quota.spentBefore)} of them before this run (ledger ${quota.ledger})`;
  const spent = `${n(quota.spent)} ${quota.limit === null ? '' : `of ${n(quota.limit)} `}request${quota.spent === 1 && quota.limit === null ? '' : 's'}`;
  return `${spent} to ${quota.host || 'the endpoint'} on ${quota.day} (UTC)${before}`;
}

/** `2xx 118 · 5xx 2 · 2 retries`: the requests, by how they ended. */
function answersText(summary: Summary): string {
  const classes = Object.entries(summary.responses).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`);
  if (summary.retries > 0) classes.push(`${summary.retries} ${summary.retries === 1 ? 'retry' : 'retries'}`);
  return classes.join(' · ');
}

/** Why rows were skipped: done in the report being resumed, or held by the ledger (accepted in an earlier run). */
function skippedText(summary: Summary): string {
  const resumed = summary.skipped - summary.skippedByLedger;
  if (summary.skippedByLedger === 0) return 'done in an earlier run';
  const ledger = `${summary.skippedByLedger === summary.skipped ? '' : `${summary.skippedByLedger} `}accepted in an earlier run, by the ledger`;
  return resumed === 0 ? ledger : `${resumed} done in the report resumed, ${ledger}`;
}

/** The summary for people, on stderr: counts, rate, files, the most frequent errors, why it stopped. */
export function printSummary(summary: Summary, flags: { quiet?: boolean | undefined }): void {
  if (flags.quiet) {
    if (summary.aborted) process.stderr.write(`bulk-submit: aborted: ${summary.aborted.message}\n`);
    return;
  }
  const lines: string[] = [];
  const verb = summary.command === 'validate' || summary.dryRun ? 'checked' : 'processed';
  lines.push(`bulk-submit: ${verb} ${counted(summary.rows, 'row')} in ${formatDuration(summary.elapsedMs)} (${summary.rowsPerSecond} rows/s)`);
  const statuses: [string, number][] =
    summary.command === 'validate' || summary.dryRun
      ? [['valid', summary.valid], ['invalid', summary.invalid]]
      : [['accepted', summary.accepted], ['rejected', summary.rejected], ['failed', summary.failed], ['invalid', summary.invalid]];
  for (const [name, count] of statuses) lines.push(`  ${name.padEnd(9)} ${count}`);
  if (summary.dropped > 0) lines.push(`  ${'dropped'.padEnd(9)} ${summary.dropped} (left out by --transform)`);
  if (summary.unrecorded > 0) lines.push(`  ${'unrecorded'.padEnd(9)} ${summary.unrecorded} (done, but their report lines never reached the file)`);
  if (summary.duplicate > 0) lines.push(`  ${'duplicate'.padEnd(9)} ${summary.duplicate} (repeat an earlier row of the run: sent once, as that row)`);
  if (summary.skipped > 0) lines.push(`  ${'skipped'.padEnd(9)} ${summary.skipped} (${skippedText(summary)})`);
  if (summary.eventIds?.from === 'report' && summary.eventIds.rule !== 'content') lines.push(`  ${'event ids'.padEnd(9)} ${summary.eventIds.rule}, as the report's rows were sent`);
  if (summary.command === 'submit' && !summary.dryRun) lines.push(`  ${'requests'.padEnd(9)} ${summary.requests}`);
  if (summary.requests > 0) lines.push(`  ${'answers'.padEnd(9)} ${answersText(summary)}`);
  const quota = quotaText(summary);
  if (quota !== undefined) lines.push(`  ${'quota'.padEnd(9)} ${quota}`);
  if (summary.latency) lines.push(`  ${'latency'.padEnd(9)} p50 ${formatDuration(summary.latency.p50)} · p95 ${formatDuration(summary.latency.p95)} · p99 ${formatDuration(summary.latency.p99)}`);
  if (summary.concurrency?.adaptive) lines.push(`  ${'limit'.padEnd(9)} ${summary.concurrency.final} requests in flight at the end (--concurrency auto, up to ${summary.concurrency.max})`);
  if (summary.rate?.by === 'shards') lines.push(`  ${'rate'.padEnd(9)} at most ${summary.rate.perSecond} requests/s: the default ${summary.rate.total} shared by ${summary.rate.shards} shards (--rate sets this process's own)`);
  if (summary.plannedRequests !== null) lines.push(`  sending the valid rows needs ${requests(summary.plannedRequests)} (--batch-size ${summary.batchSize})`);
  if (summary.plannedBackfill !== null) lines.push(`  the whole backfill needs about ${requests(summary.plannedBackfill.requests)} (${summary.plannedBackfill.shards} shards like this one)`);
  if (summary.report) lines.push(`  report    ${summary.report}`);
  if (summary.rejects) lines.push(`  rejects   ${summary.rejects}`);
  if (summary.topErrors.length > 0) {
    lines.push('  top errors (by rule; a row may break several):');
    for (const { error, count } of summary.topErrors) lines.push(`    ${String(count).padStart(6)} × ${error}`);
  }
  if (summary.aborted) lines.push(`bulk-submit: aborted: ${summary.aborted.message}`);
  if (summary.interrupted) lines.push(`bulk-submit: interrupted by ${summary.interrupted}; the report holds every row finished so far`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
