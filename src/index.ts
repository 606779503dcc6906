/**
 * bulk-submit as a library, its one face: no side effects on import, nothing printed, no process.exit.
 * `submit()` reads, maps, validates and sends every row; `validate()` does all but send; `serve()` is the
 * local implementation of the API; `report()` reads reports back and checks them against the inputs.
 * Each loads its machinery when called, so importing this is cheap.
 */
import type { SubmitOptions, RunOptions } from './job/settings.js';
import type { RunningServer, ServeOptions } from './server/server.js';
import type { Summary } from './report/index.js';
import type { MetricsOptions, RunMetrics } from './report/metrics.js';
import type { Stats as RunStats } from './report/summary.js';
import type { ReportOptions, ReportResult } from './audit/report-result.js';
import type { RunPage, RunPageOptions } from './page/page-writer.js';
import type { DayCount, ImportedReport, QuotaLeft } from './ledger/index.js';

export type { RateFrom, RunOptions, SubmitOptions } from './job/settings.js';
export type { ServeOptions, RunningServer, ServerCounts } from './server/server.js';
export { BulkError, describeError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { DAILY_QUOTA, KINDS, KIND_NAMES } from './kinds.js';
export type { Kind } from './kinds.js';
export { Stats } from './report/summary.js';
export type { ResponseClass, Summary } from './report/summary.js';
export type { LatencyQuantiles } from './report/latency.js';
export type { MetricsOptions, RunMetrics } from './report/metrics.js';
export { defaultMetricsJob, shardLabel } from './report/metrics-job.js';
export type { RunPage, RunPageOptions } from './page/page-writer.js';
export type { DayCount, ImportedReport, QuotaLeft } from './ledger/index.js';
export type { TimelineData } from './report/timeline.js';
export { defaultReportPath } from './report/name.js';
export type { ReportLine, RowStatus } from './report/report-writer.js';
export type {
  ReportOptions,
  ReportResult,
  ReportRead,
  FileTotals,
  StatusCounts,
  Coverage,
  CoverageCounts,
  InputCoverage,
  Problem,
  ProblemKind,
} from './audit/report-result.js';

/** Sends every row of the inputs and writes the report; resolves with the summary, aborted or not. */
export async function submit(options: SubmitOptions): Promise<Summary> {
  const { run } = await import('./job/run.js');
  return run('submit', options);
}

/** Reads, maps and validates every row, sending nothing; the report says `valid` or `invalid` per row. */
export async function validate(options: RunOptions): Promise<Summary> {
  const { run } = await import('./job/run.js');
  return run('validate', options);
}

/** Starts the local implementation of the API contract (for trials and tests). */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { startServer } = await import('./server/server.js');
  return startServer(options);
}

/**
 * The run's metrics for monitoring (Prometheus text file, Pushgateway): open before the run with its
 * stats, so request latencies are observed as they come; `finish()` at the end with the exit code.
 */
export async function openMetrics(stats: RunStats, options: MetricsOptions): Promise<RunMetrics> {
  const { RunMetrics } = await import('./report/metrics.js');
  return RunMetrics.open(stats, options);
}

/**
 * The run's page (--html): open before the run with its stats, so its timeline is sampled as the run goes
 * (once a second); `finish()` at the end writes the self-contained HTML page.
 */
export async function openRunPage(stats: RunStats, options: RunPageOptions): Promise<RunPage> {
  const { RunPage } = await import('./page/page-writer.js');
  return RunPage.open(stats, options);
}

/** Writes the report command's page: the tables of report()'s result, self-contained HTML. */
export async function writeReportPage(result: ReportResult, file: string): Promise<void> {
  const { writeReportPage: write } = await import('./page/page-writer.js');
  await write(result, file);
}

/**
 * Reads reports (a row's last line is its status) for totals, files and top errors; with `inputs`, says
 * whether they cover every row of those inputs exactly once with accepted, and which rows they do not.
 */
export async function report(options: ReportOptions): Promise<ReportResult> {
  const { audit } = await import('./audit/audit.js');
  return audit(options);
}

/** What `ledger import` did: each report's accepted ids, and the ids the ledger holds after. */
export interface LedgerImportResult {
  readonly ledger: string;
  readonly reports: ImportedReport[];
  readonly ids: number;
}

/** What a ledger holds: ids, the requests of the last 7 UTC days per host, and today's quota left per host. */
export interface LedgerStatsResult {
  readonly ledger: string;
  readonly today: string;
  readonly ids: number;
  readonly requests: DayCount[];
  readonly quota: QuotaLeft[];
}

/** Seeds a ledger (created when missing) from reports: every accepted line's eventId, streaming. */
export async function ledgerImport(options: { ledger: string; reports: readonly string[] }): Promise<LedgerImportResult> {
  const { Ledger, importReports } = await import('./ledger/index.js');
  const ledger = await Ledger.open(options.ledger);
  try {
    const reports = await importReports(ledger, options.reports);
    return { ledger: options.ledger, reports, ids: ledger.stats().ids };
  } finally {
    ledger.close();
  }
}

/** Reads a ledger's stats (read-only: a missing file is an error, not a new ledger). */
export async function ledgerStats(options: { ledger: string }): Promise<LedgerStatsResult> {
  const { Ledger, quotaLeft, utcDay } = await import('./ledger/index.js');
  const ledger = await Ledger.open(options.ledger, { readonly: true });
  try {
    const today = utcDay();
    const stats = ledger.stats(today);
    return { ledger: options.ledger, today, ...stats, quota: quotaLeft(stats, today) };
  } finally {
    ledger.close();
  }
}
