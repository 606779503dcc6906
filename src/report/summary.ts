import type { RowStatus } from './report.js';

/** An error as the top errors count it: by the rule, not the value, so they mean something (`(got …)` dropped). */
export function errorGroup(error: string): string {
  return error.replace(/ \(got .*?\)(?=;|$)/g, '').slice(0, 200);
}

/** Running counts for one run; the pipeline updates it, the CLI reads it for progress. */
export class Stats {
  readonly startedAt = Date.now();
  rows = 0;
  accepted = 0;
  rejected = 0;
  failed = 0;
  invalid = 0;
  valid = 0;
  /** Rows skipped because an earlier run (the report being resumed) already got them accepted. */
  skipped = 0;
  /** HTTP requests made, retries included. */
  requests = 0;
  /** Total input bytes on disk (compressed for .gz), when every input has a known size. */
  totalBytes: number | undefined;
  /** Input bytes read up to the last row handed to sending (or recorded), for progress. */
  bytesDone = 0;
  readonly #errors = new Map<string, number>();

  count(status: RowStatus, error: string | null): void {
    this.rows++;
    this[status]++;
    if (error !== null) {
      const key = errorGroup(error);
      this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
    }
  }

  topErrors(limit = 5): { error: string; count: number }[] {
    return [...this.#errors.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([error, count]) => ({ error, count }));
  }
}

/** What a run did, as the CLI prints it and `--json` writes it. */
export interface Summary {
  readonly command: 'submit' | 'validate';
  readonly dryRun: boolean;
  readonly files: string[];
  readonly rows: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly invalid: number;
  readonly valid: number;
  readonly skipped: number;
  readonly requests: number;
  /** Rows per request (1 = the single-record endpoint). */
  readonly batchSize: number;
  /** validate / --dry-run: requests the real run would need at its batch size (daily quota planning). */
  readonly plannedRequests: number | null;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
  readonly report: string | null;
  readonly rejects: string | null;
  readonly topErrors: { error: string; count: number }[];
  /** Why the run stopped early, when it did. */
  readonly aborted: { code: string; message: string } | null;
  /** The signal that interrupted the run, when one did. */
  readonly interrupted: string | null;
}
