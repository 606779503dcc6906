import type { Problem, ReportResult, StatusCounts } from '../audit/report-result.js';
import { escapeHtml, page, table } from './html.js';
import type { Cell } from './html.js';

const STATUSES = ['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped', 'duplicate', 'skipped'] as const;

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

/** The listed problem rows grouped by what is wrong with them, most first, each with its count and first rows. */
function grouped(problems: readonly Problem[]): { why: string; count: number; rows: string[] }[] {
  const groups = new Map<string, { why: string; count: number; rows: string[] }>();
  for (const problem of problems) {
    const key = why(problem);
    const group = groups.get(key) ?? { why: key, count: 0, rows: [] };
    group.count++;
    if (group.rows.length < 3) group.rows.push(`${problem.file}:${problem.line ?? ''} (row ${problem.row})`);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** The verdict in words: dropped rows (--transform) and repeats are named, never folded into "accepted". */
function verdictOf(result: ReportResult): string {
  const c = result.coverage;
  if (c === null) return `${result.rows.toLocaleString('en-US')} rows in ${result.reports.length} report${result.reports.length === 1 ? '' : 's'}`;
  if (!c.complete) return `incomplete: ${(c.rows - c.acceptedOnce - c.dropped - c.duplicates - c.skipped).toLocaleString('en-US')} of ${c.rows.toLocaleString('en-US')} rows are not accepted exactly once`;
  const also = [
    c.dropped > 0 ? `${c.dropped.toLocaleString('en-US')} dropped by --transform (never sent, by design)` : '',
    c.duplicates > 0 ? `${c.duplicates.toLocaleString('en-US')} repeating an earlier row (sent once)` : '',
    c.skipped > 0 ? `${c.skipped.toLocaleString('en-US')} skipped (accepted in an earlier run, by the ledger)` : '',
  ].filter((text) => text !== '');
  const every = also.length === 0 ? 'every row of the inputs accepted exactly once' : `${c.acceptedOnce.toLocaleString('en-US')} rows accepted exactly once, ${also.join(', ')}`;
  return `complete: ${every}`;
}

/**
 * What to do about an incomplete backfill, by what is wrong: rows missing or failed go again with
 * --resume (the exact line, for one report), rows refused are fixed in the rejects file.
 */
function nextStep(result: ReportResult): string {
  const c = result.coverage;
  if (c === null || c.complete) return '';
  const steps: string[] = [];
  const inputs = c.inputs.map((i) => i.file);
  if (c.missing > 0 || result.byStatus.failed > 0) {
    const command = result.reports.length === 1 ? ` bulk-submit submit --resume --report ${result.reports[0]?.report ?? ''} ${inputs.join(' ')}` : ' each shard again with --resume and its own --report';
    steps.push(`Send the rows missing from the report or failed (the service may have been down) again:${command}. Rows already accepted are skipped; the rest go with the same eventIds, so none is stored twice.`);
  }
  if (result.byStatus.rejected > 0 || result.byStatus.invalid > 0) steps.push('Fix the rows the service refused or the schema found invalid (the rejects file holds them, with _error), then feed that file back.');
  if (c.duplicated > 0) steps.push('Rows accepted more than once were sent under different eventIds (a changed --event-ids rule, or an edited file run afresh): the service holds both; remove the extra records there.');
  if (c.notInInput > 0) steps.push('The reports name rows the inputs do not have: check that --inputs names the files the reports were written for.');
  const list = steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('');
  return `<section class="wide" data-section="next-step"><h2>Next step</h2><ol>${list}</ol></section>`;
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
  const groups = grouped(c.problems);
  const of = c.unlisted > 0 ? ` (of the first ${c.problems.length} rows; ${c.unlisted} more not listed)` : '';
  const listed = table('problems', `Problems, by what is wrong${of}`, ['rows', 'what is wrong', 'first rows'], groups.map((g) => [{ field: 'count', value: g.count }, g.why, g.rows.join(', ')]));
  return `<section class="wide">${inputs}</section><section class="wide">${listed}</section>`;
}

/**
 * The `report` command's page: the same tables as a run's page, for one or many reports (the shards of
 * a backfill), without charts (a report holds no timeline): rows by status per report and per input file,
 * the top errors, and with --inputs the coverage and the problem rows.
 */
export function renderReportPage(result: ReportResult, generatedAt: string): string {
  const complete = result.coverage === null ? undefined : result.coverage.complete;
  const verdict = verdictOf(result);
  const header = `<h1>bulk-submit report: ${escapeHtml(result.reports.map((r) => r.report).join(', '))}</h1><div class="sub">made ${escapeHtml(generatedAt)}</div><div class="verdict${complete === false ? ' exit-1' : ''}">${escapeHtml(verdict)}</div>`;
  const body = [
    nextStep(result),
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
