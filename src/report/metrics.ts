import { accessSync, constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { Gauge, Registry, Summary as LatencySummary } from 'prom-client';
import { BulkError } from '../errors.js';
import { writeAtomically } from '../util/write-atomically.js';
import { REPORT_STATUSES } from './report-writer.js';
import type { Stats, Summary } from './summary.js';

/** Where a run's metrics go, and the report that names the run. */
export interface MetricsOptions {
  /** A file for node_exporter's textfile collector, replaced atomically at the end. */
  readonly file?: string | undefined;
  /** A Prometheus Pushgateway's base URL. */
  readonly pushgateway?: string | undefined;
  /**
   * The name of the job the run belongs to (`--metrics-job`): it labels every series (`bulk_job`) and
   * groups the push. Stable from night to night; the report's path, often dated, is never a label.
   */
  readonly job: string;
  /** `--shard K/N` as `K-of-N`: a label too, so the shards of one backfill stay apart. */
  readonly shard?: string | undefined;
}

/** The Pushgateway job every run pushes under (grouped further by bulk_job, and shard). */
const JOB = 'bulk_submit';
const LAST_SUCCESS = 'bulk_submit_last_success_timestamp_seconds';

/** A URL as it may be shown: without user and password. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return '(an invalid URL)';
  }
}

/** The value an earlier run left in the metrics file for the last successful run, if any. */
async function lastSuccessIn(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const match = new RegExp(`^${LAST_SUCCESS}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  const value = match ? Number(match[1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The run's metrics for monitoring, kept in a prom-client registry of its own: the request latency
 * summary is fed as the run goes; the counts are set from the summary at the end, when the metrics file
 * is written (temporary file, then rename) and the Pushgateway is told. Loaded only when asked for.
 */
export class RunMetrics {
  readonly #registry = new Registry();
  readonly #options: MetricsOptions;
  readonly #stats: Stats;

  private constructor(stats: Stats, options: MetricsOptions) {
    this.#options = options;
    this.#stats = stats;
    this.#registry.setDefaultLabels(this.#labels());
    const latency = new LatencySummary({
      name: 'bulk_submit_request_duration_seconds',
      help: 'Time from sending a request to the last byte of its answer.',
      percentiles: [0.5, 0.95, 0.99],
      registers: [this.#registry],
    });
    stats.onLatency = (ms) => latency.observe(ms / 1000);
  }

  /** Checks that the metrics file can be written (its folder exists and is writable), before anything is sent. */
  static open(stats: Stats, options: MetricsOptions): RunMetrics {
    if (options.file !== undefined) {
      try {
        accessSync(dirname(options.file), constants.W_OK);
      } catch (error) {
        throw new BulkError('BULK_OPTION_INVALID', `Invalid --metrics-file: cannot write in ${dirname(options.file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    return new RunMetrics(stats, options);
  }

  /**
   * Sets the run's figures (no summary: the run stopped before it started) and writes and pushes them.
   * Resolves with one warning line for each that failed: metrics never fail the run.
   */
  async finish(summary: Summary | null, exitCode: number): Promise<string[]> {
    const now = Date.now() / 1000;
    const lastSuccess = exitCode === 0 ? now : this.#options.file === undefined ? undefined : await lastSuccessIn(this.#options.file);
    this.#set(summary, exitCode, now, lastSuccess);
    const warnings: string[] = [];
    const { file, pushgateway } = this.#options;
    if (file !== undefined) await this.#write(file).catch((error: NodeJS.ErrnoException) => warnings.push(`cannot write the metrics file ${file} (${error.code ?? error.message})`));
    if (pushgateway !== undefined) {
      const groups = { job: JOB, ...this.#labels() };
      // undici (for the push) loads only when there is one.
      const { pushAdd } = await import('./push.js');
      await pushAdd(pushgateway, groups, await this.#registry.metrics(), this.#registry.contentType).catch((error: Error) =>
        warnings.push(`could not push the metrics to the Pushgateway at ${shownUrl(pushgateway)} (${error.message.split('\n')[0]})`),
      );
    }
    return warnings;
  }

  #labels(): Record<string, string> {
    const { job, shard } = this.#options;
    return shard === undefined ? { bulk_job: job } : { bulk_job: job, shard };
  }

  #set(summary: Summary | null, exitCode: number, now: number, lastSuccess: number | undefined): void {
    const gauge = (name: string, help: string, labelNames: string[] = []): Gauge => new Gauge({ name, help, labelNames, registers: [this.#registry] });
    const rows = gauge('bulk_submit_rows', 'Rows of the last run, by status (skipped: done in an earlier run, by the report resumed or the ledger; dropped: left out by --transform; duplicate: repeats an earlier row of the run, sent once; unrecorded: done, but its report line never reached the file).', ['status']);
    for (const status of new Set([...REPORT_STATUSES, 'skipped', 'unrecorded'] as const)) rows.set({ status }, summary?.[status] ?? 0);
    const requests = gauge('bulk_submit_requests', 'Requests of the last run, by HTTP status class (network: no answer).', ['class']);
    for (const [name, count] of Object.entries(this.#stats.responses)) requests.set({ class: name }, count);
    gauge('bulk_submit_retries', 'Requests of the last run that carried rows sent before.').set(this.#stats.retried);
    gauge('bulk_submit_input_bytes', 'Input bytes the last run read (compressed bytes for .gz).').set(this.#stats.bytesRead);
    const elapsedMs = summary?.elapsedMs ?? Date.now() - this.#stats.startedAt;
    gauge('bulk_submit_run_duration_seconds', 'How long the last run took.').set(elapsedMs / 1000);
    gauge('bulk_submit_rows_per_second', 'Rows per second of the last run.').set(summary?.rowsPerSecond ?? 0);
    gauge('bulk_submit_exit_code', 'Exit code of the last run (0: every row accepted).').set(exitCode);
    gauge('bulk_submit_last_run_timestamp_seconds', 'When the last run ended.').set(now);
    if (lastSuccess !== undefined) gauge(LAST_SUCCESS, 'When the last run that ended with exit code 0 ended.').set(lastSuccess);
  }

  /** Writes the file whole (a temporary file, then a rename): the collector never reads half a file. */
  async #write(file: string): Promise<void> {
    await writeAtomically(file, await this.#registry.metrics(), 0o644);
  }
}
