import { BulkError, describeError } from '../errors.js';
import { openPrepared } from '../prepare/index.js';
import type { PreparedInput } from '../prepare/index.js';
import { REPORT_STATUSES, ReportLock, Stats, readResumeState } from '../report/index.js';
import type { QuotaSummary, ResumeState, Summary } from '../report/index.js';
import { openSender } from '../send/index.js';
import { formatDuration } from '../util/duration.js';
import { inputName } from '../util/remote.js';
import { openOutput } from './output.js';
import type { Output, Recorded } from './output.js';
import { Recorder } from './recorder.js';
import { plannedQuota, RunLedger, sendingQuota } from './run-ledger.js';
import { runParcels } from './run-parcels.js';
import { resolveSettings } from './settings.js';
import type { Settings, SubmitOptions } from './settings.js';
import { Stopper } from './stopper.js';

/**
 * Runs the prepared parcels through to the report; closes everything, whatever happens: also when the
 * report cannot be opened (it exists, no --force), where the preparing threads, already reading ahead,
 * would otherwise keep the process alive after the refusal.
 */
async function runThrough(settings: Settings, options: SubmitOptions, prepared: PreparedInput, resuming: boolean, stats: Stats, stop: Stopper, ledger: RunLedger | undefined): Promise<Outcome> {
  const closing: Array<() => Promise<unknown>> = [() => prepared.close()];
  try {
    const output = await openOutput(settings, prepared.sources, resuming, stop);
    closing.push(() => output.close());
    const record = new Recorder(output.report, output.rejects, stats, prepared.sources.map((s) => s.file), settings.maxErrors, stop, ledger);
    options.onEmergencyFlush?.(() => {
      output.report.flushSync();
      output.rejects?.flushSync();
    });
    const send = settings.send;
    const quota = sendingQuota(settings, ledger, { stop, stats, onWait: options.onNotice });
    const http = send ? { ...(await openSender(send, record, stats, stop, settings.prepare.batchSize > 1, quota)), concurrency: send.concurrency } : undefined;
    if (http) closing.push(() => http.client.close());
    // Requests in flight get --drain-timeout to finish after an interrupt; then they are cut off (and recorded failed).
    const drainMs = send ? send.drainTimeoutMs : 0;
    const unfollow = stop.follow(options.signal, drainMs, () => void http?.client.destroy(`interrupted: requests still in flight after --drain-timeout (${formatDuration(drainMs)})`));
    const cutNow = (): void => void http?.client.destroy('interrupted twice: requests still in flight were cut off');
    options.hurry?.addEventListener('abort', cutNow, { once: true });
    try {
      await runParcels(prepared.parcels(), record, stop, stats, http);
    } catch (error) {
      // Failed part-way: what was done is in the report, and the summary must say so (the counts, the
      // metrics and the page are made from it), so the run ends as aborted. Nothing done yet: a refusal.
      if (stats.rows === 0 && stats.requests === 0) throw error;
      stop.abort(error instanceof BulkError ? error : new BulkError('BULK_RUN_FAILED', `the run failed part-way: ${describeError(error)}; the report holds every row done: run again with --resume`, { cause: error }));
    } finally {
      unfollow();
      options.hurry?.removeEventListener('abort', cutNow);
    }
    // Every answer is recorded: the run's ids are merged now, so a failure to is in its summary (exit 3).
    ledger?.merge();
    return { output, stop, record, quota: quota?.summary() ?? plannedQuota(settings, ledger) };
  } finally {
    await Promise.allSettled(closing.map((close) => close()));
  }
}

/**
 * Runs one job end to end: read → map → validate → (submit) → report. Throws a BulkError for anything
 * found before sending; returns the summary otherwise, aborted or not. Never prints, never exits.
 */
export async function run(command: 'submit' | 'validate', options: SubmitOptions): Promise<Summary> {
  const settings = await resolveSettings(command, options);
  const stats = options.stats ?? new Stats();
  const lock = ReportLock.acquire(settings.reportPath);
  let ledger: RunLedger | undefined;
  try {
    const resume: ResumeState | undefined = settings.resume ? await readResumeState(settings.reportPath, settings.prepare.files.map(inputName)) : undefined;
    const eventIds = eventIdsFor(settings, resume);
    const stop = new Stopper();
    // Before the stage opens it read-only to look rows up: a new ledger is made here, a bad one refused.
    ledger = await RunLedger.open(settings, stop);
    // The stage asks the ledger only when there is one (a --dry-run's ledger that does not exist yet holds nothing).
    const prepared = await openPrepared({ ...settings.prepare, eventIds: eventIds.rule, done: resume?.accepted(), ledger: ledger && settings.prepare.ledger }, options.stdin);
    const sizes = prepared.sources.map((s) => s.size);
    stats.totalBytes = sizes.every((size) => size !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
    const outcome = await runThrough(settings, options, prepared, resume !== undefined, stats, stop, ledger);
    return summarize(settings, stats, outcome, settings.send ? eventIds : null, await outcome.output.recorded());
  } finally {
    ledger?.close();
    lock.release();
  }
}

/**
 * The eventId rule of a run: --event-ids, or on --resume the rule the report's rows were sent by (they
 * are sent again with the ids they had, so the service's 409 still knows them). A rule given that is not
 * the report's is refused before anything is sent.
 */
function eventIdsFor(settings: Settings, resume: ResumeState | undefined): NonNullable<Summary['eventIds']> {
  const rule = settings.prepare.eventIds;
  const report = resume?.eventIds;
  if (report === undefined || report === rule) return { rule, from: report !== undefined ? 'report' : settings.eventIdsGiven ? 'option' : 'default' };
  if (!settings.eventIdsGiven) return { rule: report, from: 'report' };
  const written = report === 'position' ? 'position eventIds (bulk-submit before 0.2, or --event-ids position)' : 'content eventIds';
  throw new BulkError(
    'BULK_OPTION_INVALID',
    `--event-ids ${rule}: the report's rows were sent with ${written}; sent again under another rule they would get new ids, and the service would store again those it already has. Resume without --event-ids (the report's rule is kept), or start a new --report`,
  );
}

/** How a run came out: its outputs, why it stopped (if it did), and its recorder. */
interface Outcome {
  readonly output: Output;
  readonly stop: Stopper;
  readonly record: Recorder;
  /** The day's quota as the run leaves it (as validate and --dry-run find it); null when none applies. */
  readonly quota: QuotaSummary | null;
}

/** Why a run stopped early, in one line: a full disk and --max-errors are told in the run's final numbers. */
function abortedMessage(settings: Settings, outcome: Outcome, aborted: BulkError, recorded: Recorded | undefined): string {
  if (aborted.code === 'BULK_REPORT_WRITE') return outcome.output.failureNote(settings, recorded);
  if (aborted.code === 'BULK_MAX_ERRORS') return outcome.record.budgetNote();
  return aborted.message;
}

/**
 * The summary of a run, from its counts; or, when a write to the report failed (a full disk), from what
 * the report holds: a row counts as what its report line says only if the line reached the file, and the
 * rows done that did not are `unrecorded` (those sent among them are in the stop line).
 */
function summarize(settings: Settings, stats: Stats, outcome: Outcome, eventIds: Summary['eventIds'], recorded: Recorded | undefined): Summary {
  const elapsedMs = Date.now() - stats.startedAt;
  const { batchSize, sending, shard } = settings.prepare;
  const aborted = outcome.stop.aborted;
  const counts = recorded?.counts ?? stats;
  const rows = REPORT_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  return {
    command: settings.command,
    dryRun: settings.command === 'submit' && !sending,
    files: settings.prepare.files.map(inputName),
    rows,
    accepted: counts.accepted,
    rejected: counts.rejected,
    failed: counts.failed,
    invalid: counts.invalid,
    valid: counts.valid,
    dropped: counts.dropped,
    duplicate: counts.duplicate,
    unrecorded: stats.rows - rows,
    skipped: counts.skipped + stats.resumed,
    skippedByLedger: counts.skipped,
    quota: outcome.quota,
    eventIds,
    requests: stats.requests,
    responses: { ...stats.responses },
    retries: stats.retried,
    probes: stats.probes,
    latency: stats.latency?.quantiles() ?? null,
    bytesRead: stats.bytesRead,
    batchSize,
    plannedRequests: sending ? null : Math.ceil(stats.valid / batchSize),
    plannedBackfill: sending || !shard ? null : { shards: shard.count, requests: shard.count * Math.ceil(stats.valid / batchSize) },
    rate: settings.send ? { perSecond: settings.send.rate, ...settings.send.rateFrom } : null,
    concurrency: settings.send ? { adaptive: settings.send.adaptive, final: stats.concurrencyLimit ?? settings.send.concurrency, max: settings.send.concurrency } : null,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((stats.rows * 1000) / elapsedMs) : stats.rows,
    report: outcome.output.report.path,
    rejects: outcome.output.rejects?.path ?? null,
    topErrors: stats.topErrors(),
    aborted: aborted ? { code: aborted.code, message: abortedMessage(settings, outcome, aborted, recorded) } : null,
    interrupted: outcome.stop.interrupted ?? null,
  };
}
