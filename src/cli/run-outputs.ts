import { defaultMetricsJob, describeError, openMetrics, openRunPage, shardLabel } from '../index.js';
import type { RunMetrics, RunPage, Stats, Summary } from '../index.js';
import { resumeCommand } from './resume-command.js';

/** What a run writes beside its report for monitoring and for people: metrics (--metrics-file, --pushgateway) and its page (--html). */
export interface RunOutputs {
  /** Writes them at the end of the run, whatever the end; prints a warning for each that could not be written. */
  finish(summary: Summary | null, exitCode: number, error: unknown): Promise<void>;
  /** The run goes on but waits (--at-quota wait): the page says so meanwhile. */
  notice(message: string): Promise<void>;
}

interface OutputFlags {
  readonly config?: string | undefined;
  readonly shard?: { index: number; count: number } | undefined;
  readonly metricsJob?: string | undefined;
  readonly metricsFile?: string | undefined;
  readonly pushgateway?: string | undefined;
  readonly html?: string | undefined;
  readonly resume?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/**
 * Opens the run's outputs before it starts (prom-client and the page's code load only when asked for), so
 * that request latencies are observed and the timeline sampled as the run goes, and a folder that cannot
 * be written is refused before anything is sent.
 */
export async function openRunOutputs(command: 'submit' | 'validate', files: string[], flags: OutputFlags, stats: Stats): Promise<RunOutputs> {
  let metrics: RunMetrics | undefined;
  if (flags.metricsFile !== undefined || flags.pushgateway !== undefined) {
    const job = flags.metricsJob ?? defaultMetricsJob(files, flags.config);
    metrics = await openMetrics(stats, { file: flags.metricsFile, pushgateway: flags.pushgateway, job, shard: shardLabel(flags.shard) });
  }
  // A run that sends can be continued: its page gives the command that does it. One that continues a
  // report keeps the page of the run before beside its own.
  const sends = command === 'submit' && !flags.dryRun;
  const page: RunPage | undefined =
    flags.html === undefined ? undefined : await openRunPage(stats, { file: flags.html, keepEarlier: sends && flags.resume === true, resumeCommand: sends ? resumeCommand(process.argv.slice(2)) : undefined });
  return {
    async notice(message) {
      for (const warning of (await page?.notice(message)) ?? []) process.stderr.write(`bulk-submit: warning: ${warning}\n`);
    },
    async finish(summary, exitCode, error) {
      const warnings = [...((await metrics?.finish(summary, exitCode)) ?? []), ...((await page?.finish(summary, exitCode, error === undefined ? undefined : describeError(error))) ?? [])];
      for (const warning of warnings) process.stderr.write(`bulk-submit: warning: ${warning}\n`);
    },
  };
}
