import type { RowStatus } from '../report/report-writer.js';
import type { Summary } from '../report/summary.js';
import type { TimelineData } from '../report/timeline.js';
import { CHART_SCRIPT } from './chart-script.js';
import { escapeHtml, page, table } from './html.js';
import type { Cell } from './html.js';
// Named from dist/ ('../page/'), not './': the CLI's bundle runs this code from dist/chunks/, and the
// inlined chart library is written to dist/page/ by scripts/build.js (see ARCHITECTURE.md, The build).
import { UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE } from '../page/uplot-assets.js';

/** What a run's page shows. */
export interface RunPageInput {
  /** The run's summary; null when it stopped before it could run (then `error` says why). */
  readonly summary: Summary | null;
  readonly exitCode: number;
  readonly error?: string | undefined;
  readonly timeline: TimelineData;
  readonly topErrors: readonly { error: string; count: number; example: { file: string; line: number } }[];
  readonly files: readonly { file: string; byStatus: Record<RowStatus, number> }[];
  /** When the page was made (ISO 8601). */
  readonly generatedAt: string;
  /** Pages of earlier runs of the same report, kept beside this one (file names, oldest first). */
  readonly earlierPages?: readonly string[] | undefined;
  /** The command line that continues the run (secrets left out), for a run that stopped early. */
  readonly resumeCommand?: string | undefined;
  /** The run goes on, but waits (--at-quota wait): what for, and until when. The page is the run so far. */
  readonly waiting?: string | undefined;
  /** The input was not read to its end: how far it was. */
  readonly inputLeft?: { readonly bytesRead: number; readonly totalBytes: number | undefined; readonly rowsTaken: number } | null | undefined;
}

const STATUSES: readonly RowStatus[] = ['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped', 'duplicate'];

/** The summary as a table of what a monitoring reader would grep for, each number with its field. */
function summaryTable(s: Summary): string {
  const n = (field: string, value: number): Cell => ({ field, value });
  const rows: Cell[][] = [
    ['rows', n('rows', s.rows)],
    ...STATUSES.filter((status) => s[status] > 0 || status === 'accepted').map((status): Cell[] => [status, n(status, s[status])]),
    ['skipped (done in an earlier run)', n('skipped', s.skipped)],
    ...(s.skippedByLedger > 0 ? [['of which the ledger held (accepted on an earlier day)', n('skippedByLedger', s.skippedByLedger)]] : []),
    ['requests', n('requests', s.requests)],
    ['retries', n('retries', s.retries)],
    ...Object.entries(s.responses).map(([name, count]): Cell[] => [`answers ${name}`, n(`responses.${name}`, count)]),
    ['latency p50 / p95 / p99 (ms)', s.latency ? `${s.latency.p50} / ${s.latency.p95} / ${s.latency.p99}` : ''],
    ['elapsed (s)', n('elapsedSeconds', Math.round(s.elapsedMs / 100) / 10)],
    ['rows/s', n('rowsPerSecond', s.rowsPerSecond)],
    ['report', s.report ?? ''],
  ];
  if (s.concurrency) rows.push(['requests in flight at most', s.concurrency.adaptive ? `auto, up to ${s.concurrency.max} (${s.concurrency.final} at the end)` : String(s.concurrency.max)]);
  if (s.rejects) rows.push(['rejects', s.rejects]);
  if (s.quota) {
    rows.push(['requests today / quota', `${s.quota.spent.toLocaleString('en-US')} / ${s.quota.limit?.toLocaleString('en-US') ?? 'no quota'} (${s.quota.host || 'the endpoint'}, ${s.quota.day} UTC)`]);
    if (s.quota.ledger !== null) rows.push(['of them before this run (ledger)', n('quota.spentBefore', s.quota.spentBefore)]);
  }
  return table('summary', 'Summary', ['', 'value'], rows);
}

/** The page's header: what ran, how it ended. */
function header(input: RunPageInput): string {
  const s = input.summary;
  if (!s && input.waiting !== undefined) {
    return `<h1>bulk-submit: the run is waiting</h1><div class="sub">made ${escapeHtml(input.generatedAt)}</div><div class="verdict" data-field="waiting">${escapeHtml(input.waiting)}</div>`;
  }
  const title = s ? `bulk-submit ${s.command}${s.dryRun ? ' --dry-run' : ''}: ${s.files.join(', ')}` : 'bulk-submit: the run did not start';
  const ended = s?.aborted ? `aborted: ${s.aborted.message}` : s?.interrupted ? `interrupted by ${s.interrupted}` : input.error ?? 'finished';
  const kind = input.exitCode === 0 ? '' : input.exitCode === 1 ? ' exit-1' : ' bad';
  return `<h1>${escapeHtml(title)}</h1><div class="sub">made ${escapeHtml(input.generatedAt)}</div><div class="verdict${kind}" data-field="exitCode" data-exit="${input.exitCode}">${escapeHtml(ended)} (exit ${input.exitCode})</div>`;
}

/** Links to the pages earlier runs of this report left beside this one. */
function earlier(input: RunPageInput): string {
  const pages = input.earlierPages ?? [];
  if (pages.length === 0) return '';
  const links = pages.map((name) => `<li><a href="${escapeHtml(encodeURI(name))}">${escapeHtml(name)}</a></li>`).join('');
  return `<section class="wide" data-section="earlier"><h2>Earlier runs of this report</h2><ul>${links}</ul></section>`;
}

/**
 * For a run that stopped before its end (aborted, interrupted): what it left undone, and the command that
 * goes on from there. The rows in the report are done; the rest were read but not finished, or never read.
 */
function nextStep(input: RunPageInput): string {
  const s = input.summary;
  if (!s || (!s.aborted && !s.interrupted)) return '';
  const left: string[] = [];
  const taken = input.inputLeft?.rowsTaken ?? s.rows;
  if (taken > s.rows) left.push(`${(taken - s.rows).toLocaleString('en-US')} rows were read but not finished (not in the report)`);
  const inputLeft = input.inputLeft;
  if (inputLeft) {
    const share = inputLeft.totalBytes ? ` (${Math.round((100 * inputLeft.bytesRead) / inputLeft.totalBytes)}% of ${inputLeft.totalBytes.toLocaleString('en-US')} bytes read)` : '';
    const estimate = inputLeft.totalBytes && inputLeft.bytesRead > 0 ? `: about ${Math.max(0, Math.round((taken * inputLeft.totalBytes) / inputLeft.bytesRead) - taken).toLocaleString('en-US')} rows` : '';
    left.push(`the rest of the input was never read${estimate}${share}`);
  }
  const items = left.map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  const command = input.resumeCommand ? `<p>Run this to go on from there (rows already accepted are skipped, the rest sent with the same eventIds; credentials from the environment as before):</p><pre data-field="resumeCommand">${escapeHtml(input.resumeCommand)}</pre>` : '';
  return `<section class="wide" data-section="next-step"><h2>What is left, and the next step</h2><p data-field="done">${escapeHtml(`${s.rows.toLocaleString('en-US')} rows are in the report.`)}</p><ul>${items}</ul>${command}</section>`;
}

/** A chart's frame; the page's script draws the chart in it from the embedded timeline. */
function chart(name: string, title: string, note: string): string {
  return `<section><h2>${escapeHtml(title)}</h2><div data-chart="${name}" id="chart-${name}"></div><p class="note">${escapeHtml(note)}</p></section>`;
}

/**
 * A run's page, self-contained: the charts of its timeline (drawn by uPlot, inlined), then its summary,
 * top errors with the first row each was seen on, and rows by status per input file.
 */
export function renderRunPage(input: RunPageInput): string {
  const step = input.timeline.stepSeconds;
  const every = step === 1 ? 'each second' : `every ${step} seconds`;
  const body = [
    nextStep(input),
    chart('rows', 'Rows done', `rows done a second, by status, ${every}`),
    chart('latency', 'Request latency', `p50, p95 and p99 of the requests answered ${every} (ms)`),
    chart('load', 'Requests in flight and limits', 'in flight at each sample; the limit of requests in flight (it adapts with --concurrency auto, halves on 429); the rate limit (right axis)'),
    chart('responses', 'Answers', 'answers a second by class (429s are in 4xx), retries, and probes sent while every request was failing'),
    `<section>${input.summary ? summaryTable(input.summary) : `<p>${escapeHtml(input.error ?? 'no summary')}</p>`}</section>`,
    `<section>${table('top-errors', 'Top errors (by rule; a row may break several)', ['count', 'error', 'first seen at'], input.topErrors.map((e) => [{ field: 'count', value: e.count }, e.error, `${e.example.file}:${e.example.line}`]))}</section>`,
    `<section class="wide">${table('files', 'Rows by status, per input file', ['file', ...STATUSES], input.files.map((f) => [f.file, ...STATUSES.map((status): Cell => ({ field: status, value: f.byStatus[status] }))]))}</section>`,
    earlier(input),
  ].join('\n');
  return page({
    title: input.summary ? `bulk-submit ${input.summary.command}: ${input.summary.files.join(', ')}` : 'bulk-submit',
    header: header(input),
    body,
    data: { summary: input.summary, exitCode: input.exitCode, timeline: input.timeline },
    script: CHART_SCRIPT,
    uplot: { js: UPLOT_JS, css: UPLOT_CSS, license: UPLOT_LICENSE },
  });
}
