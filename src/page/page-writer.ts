import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { ReportResult } from '../audit/report-result.js';
import { BulkError } from '../errors.js';
import type { Stats, Summary } from '../report/summary.js';
import { Timeline } from '../report/timeline.js';
import { writeAtomically } from '../util/write-atomically.js';
import { renderReportPage } from './report-page.js';
import { renderRunPage } from './run-page.js';

/** Refuses a page file whose folder cannot be written, before anything is sent (or read). */
function checkWritable(file: string): void {
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid --html: cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * A run's page (--html): its timeline sampled once a second while the run goes (timeline.ts), the page
 * written at the end of every run, finished, aborted or interrupted, or refused before it started.
 */
export class RunPage {
  readonly #file: string;
  readonly #stats: Stats;
  readonly #timeline: Timeline;
  readonly #stop: () => void;

  private constructor(stats: Stats, file: string) {
    this.#file = file;
    this.#stats = stats;
    this.#timeline = new Timeline(stats);
    this.#stop = this.#timeline.start();
  }

  static open(stats: Stats, file: string): RunPage {
    checkWritable(file);
    return new RunPage(stats, file);
  }

  /** Writes the page; resolves with what went wrong, as warnings (a page that cannot be written changes no exit code). */
  async finish(summary: Summary | null, exitCode: number, error?: string): Promise<string[]> {
    this.#stop();
    const text = renderRunPage({
      summary,
      exitCode,
      error,
      timeline: this.#timeline.data(),
      topErrors: summary?.topErrors ?? this.#stats.topErrors(),
      files: this.#stats.byFile(),
      generatedAt: new Date().toISOString(),
    });
    try {
      await writeAtomically(this.#file, text);
      return [];
    } catch (failure) {
      return [`cannot write the run's page ${this.#file} (${(failure as NodeJS.ErrnoException).code ?? String(failure)})`];
    }
  }
}

/** Writes the report command's page (--html). */
export async function writeReportPage(result: ReportResult, file: string): Promise<void> {
  checkWritable(file);
  await writeAtomically(file, renderReportPage(result, new Date().toISOString()));
}
