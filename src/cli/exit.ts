import type { ErrorCode, ReportResult, Summary } from '../index.js';

/** Exit codes, as documented in the README, docs/operations.md and `--help`: chosen here, and nowhere in the library. */
export const ExitCode = {
  ok: 0,
  rowsNotAccepted: 1,
  usage: 2,
  aborted: 3,
  interrupted: 130,
  terminated: 143,
} as const;

/** Codes that stop a run part-way, after rows may have been sent: exit 3 (re-run with --resume). */
const ABORTS = new Set<ErrorCode>(['BULK_AUTH_REFUSED', 'BULK_ENDPOINT_WRONG', 'BULK_NOT_API', 'BULK_RUN_FAILED', 'BULK_MAX_ERRORS', 'BULK_OUTAGE', 'BULK_QUOTA', 'BULK_LEDGER_WRITE', 'BULK_REPORT_WRITE', 'BULK_TLS']);

/** The exit code of a run that finished (aborted or not), from its summary: dropped rows (--transform) are no error. */
export function exitCodeOf(summary: Summary): number {
  const aborted = summary.aborted;
  if (aborted) {
    // The input changed since the report (--resume): nothing sent is like a refused file; else like an abort.
    if (aborted.code === 'BULK_INPUT_CHANGED') return summary.requests === 0 ? ExitCode.usage : ExitCode.aborted;
    return ExitCode.aborted;
  }
  if (summary.interrupted !== null) return summary.interrupted === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  return summary.invalid + summary.rejected + summary.failed > 0 ? ExitCode.rowsNotAccepted : ExitCode.ok;
}

/** The exit code of a run that threw: a typed error (matched by its code) found before sending is a usage error (2). */
export function exitCodeOfError(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('BULK_')) return ExitCode.aborted;
  return ABORTS.has(code as ErrorCode) ? ExitCode.aborted : ExitCode.usage;
}

/** The exit code of `report`: 1 when --inputs found rows not accepted exactly once, else 0. */
export function exitCodeOfReport(result: ReportResult): number {
  return result.coverage === null || result.coverage.complete ? ExitCode.ok : ExitCode.rowsNotAccepted;
}
