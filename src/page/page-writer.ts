import { accessSync, constants, promises as fs } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
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
export interface RunPageOptions {
  readonly file: string;
  /**
   * The run continues a report (--resume): an earlier run's page at `file` is kept beside the new one,
   * named by when it was written (`nightly.20261205T021014Z.html`), and the new page links to every one kept.
   */
  readonly keepEarlier?: boolean | undefined;
  /** For a run that may be continued: the command line that does it (secrets left out), shown when it stops early. */
  readonly resumeCommand?: string | undefined;
}

/** `nightly.html` written at `when` → `nightly.20261205T021014Z.html`. */
function keptName(file: string, when: Date): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.${stamp}${ext}`);
}

/** The pages kept beside `file` by earlier runs, oldest first (their names sort by time). */
async function keptPages(file: string): Promise<string[]> {
  const ext = extname(file);
  const stem = `${basename(file, ext)}.`;
  const kept = (name: string): boolean => name.startsWith(stem) && name.endsWith(ext) && /^\d{8}T\d{6}Z$/.test(name.slice(stem.length, name.length - ext.length));
  const names = await fs.readdir(dirname(file)).catch(() => []);
  return names.filter(kept).sort();
}

export class RunPage {
  readonly #options: RunPageOptions;
  readonly #stats: Stats;
  readonly #timeline: Timeline;
  readonly #stop: () => void;

  private constructor(stats: Stats, options: RunPageOptions) {
    this.#options = options;
    this.#stats = stats;
    this.#timeline = new Timeline(stats);
    this.#stop = this.#timeline.start();
  }

  static open(stats: Stats, options: RunPageOptions): RunPage {
    checkWritable(options.file);
    return new RunPage(stats, options);
  }

  #kept: Promise<string[]> | undefined;

  /** An earlier run's page is moved aside (--resume), not overwritten: each night's page stays. Once a run. */
  #keepEarlier(): Promise<string[]> {
    this.#kept ??= this.#moveEarlier();
    return this.#kept;
  }

  /**
   * While the run goes on but waits (--at-quota wait): a page of the run so far that says so, for whoever
   * opens it meanwhile. The finished page replaces it. Resolves with what went wrong, as warnings.
   */
  async notice(message: string): Promise<string[]> {
    return this.#write(null, -1, undefined, message);
  }

  async #moveEarlier(): Promise<string[]> {
    const { file } = this.#options;
    if (this.#options.keepEarlier) {
      const earlier = await fs.stat(file).catch(() => undefined);
      if (earlier?.isFile()) await fs.rename(file, keptName(file, earlier.mtime));
    }
    return keptPages(file);
  }

  /** Writes the page; resolves with what went wrong, as warnings (a page that cannot be written changes no exit code). */
  async finish(summary: Summary | null, exitCode: number, error?: string): Promise<string[]> {
    this.#stop();
    return this.#write(summary, exitCode, error, undefined);
  }

  async #write(summary: Summary | null, exitCode: number, error: string | undefined, waiting: string | undefined): Promise<string[]> {
    const { file } = this.#options;
    let earlierPages: string[];
    try {
      earlierPages = await this.#keepEarlier();
    } catch (failure) {
      return [`cannot keep the earlier page ${file} (${(failure as NodeJS.ErrnoException).code ?? String(failure)}); the new one was not written`];
    }
    const text = renderRunPage({
      earlierPages,
      resumeCommand: this.#options.resumeCommand,
      inputLeft: this.#stats.inputDone ? null : { bytesRead: this.#stats.bytesRead, totalBytes: this.#stats.totalBytes, rowsTaken: this.#stats.rowsTaken },
      summary,
      exitCode,
      error,
      timeline: this.#timeline.data(),
      topErrors: summary?.topErrors ?? this.#stats.topErrors(),
      files: this.#stats.byFile(),
      generatedAt: new Date().toISOString(),
      waiting,
    });
    try {
      await writeAtomically(file, text);
      return [];
    } catch (failure) {
      return [`cannot write the run's page ${file} (${(failure as NodeJS.ErrnoException).code ?? String(failure)})`];
    }
  }
}

/** Writes the report command's page (--html). */
export async function writeReportPage(result: ReportResult, file: string): Promise<void> {
  checkWritable(file);
  await writeAtomically(file, renderReportPage(result, new Date().toISOString()));
}
