import type { Problem, ReportResult, StatusCounts } from '../audit/report-result.js';
import { escapeHtml, page, table } from './html.js';
import type { Cell } from './html.js';

const STATUSES = ['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped', 'duplicate'] as const;

const counts = (byStatus: StatusCounts): Cell[] => STATUSES.map((status) => ({ field: status, value: byStatus[status] }));

/** What a problem row is, in words. */
function why(problem: Problem): string {
  const last = problem.status === null ? '' : ` (last status ${problem.status}${problem.error === null ? '' : `: ${problem.error}`})`;
  switch (problem.problem) {
    case 'missing':
      return 'missing: no report line has it';
    case 'duplicated':
      return `duplicated: accepted more than once${last}`;
    case 'notAccepted':
      return `not accepted${last}`;
    case 'notInInput':
      return `not in the input${last}`;
  }
}

/** The --inputs coverage: per input its verdict in numbers, then the first problem rows (the counts are complete). */
function coverage(result: ReportResult): string {
  const c = result.coverage;
  if (!c) return '<section class="wide"><p class="note">No --inputs given: the reports were read, not checked against the inputs.</p></section>';
  const inputs = table(
    'coverage',
    c.complete ? `Inputs: complete, every row accepted exactly once` : `Inputs: incomplete`,
    ['input', 'rows', 'accepted once', 'dropped', 'duplicates', 'missing', 'duplicated', 'not accepted', 'not in the input'],
    c.inputs.map((i) => [i.file, { field: 'rows', value: i.rows }, { field: 'acceptedOnce', value: i.acceptedOnce }, { field: 'dropped', value: i.dropped }, { field: 'duplicates', value: i.duplicates }, { field: 'missing', value: i.missing }, { field: 'duplicated', value: i.duplicated }, { field: 'notAccepted', value: i.notAccepted }, { field: 'notInInput', value: i.notInInput }]),
  );
  const listed = table('problems', `Rows not accepted exactly once${c.unlisted > 0 ? ` (the first ${c.problems.length}; ${c.unlisted} more not listed)` : ''}`, ['where', 'row', 'why'], c.problems.map((p) => [`${p.file}:${p.line ?? ''}`, { field: 'row', value: p.row }, why(p)]));
  return `<section class="wide">${inputs}</section><section class="wide">${listed}</section>`;
}

/**
 * The `report` command's page: the same tables as a run's page, for one or many reports (the shards of
 * a backfill), without charts (a report holds no timeline): rows by status per report and per input file,
 * the top errors, and with --inputs the coverage and the problem rows.
 */
export function renderReportPage(result: ReportResult, generatedAt: string): string {
  const complete = result.coverage === null ? undefined : result.coverage.complete;
  const verdict = complete === undefined ? `${result.rows.toLocaleString('en-US')} rows in ${result.reports.length} report${result.reports.length === 1 ? '' : 's'}` : complete ? 'complete: every row of the inputs accepted exactly once' : 'incomplete: some rows are not accepted exactly once';
  const header = `<h1>bulk-submit report: ${escapeHtml(result.reports.map((r) => r.report).join(', '))}</h1><div class="sub">made ${escapeHtml(generatedAt)}</div><div class="verdict${complete === false ? ' exit-1' : ''}">${escapeHtml(verdict)}</div>`;
  const body = [
    `<section class="wide">${table('reports', 'Reports, their lines by status', ['report', 'lines', ...STATUSES], result.reports.map((r) => [r.report, { field: 'lines', value: r.lines }, ...counts(r.byStatus)]))}</section>`,
    `<section class="wide">${table('files', 'Rows by status (each by its last line), per input file', ['file', 'rows', ...STATUSES, 'duplicated'], [
      ...result.files.map((f) => [f.file, { field: 'rows', value: f.rows }, ...counts(f.byStatus), { field: 'duplicated', value: f.duplicated }]),
      ['all', { field: 'rows', value: result.rows }, ...counts(result.byStatus), { field: 'duplicated', value: result.duplicated }],
    ])}</section>`,
    `<section class="wide">${table('top-errors', 'Top errors (of the rows\' last lines, by rule; a row may break several)', ['count', 'error'], result.topErrors.map((e) => [{ field: 'count', value: e.count }, e.error]))}</section>`,
    coverage(result),
  ].join('\n');
  return page({ title: 'bulk-submit report', header, body });
}
