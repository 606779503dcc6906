import type { Coverage, CoverageCounts, InputCoverage, Problem, ReportResult, StatusCounts } from '../index.js';

/** `1 row`, `2 rows`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The statuses some row has, as `  accepted   20` lines. */
function statusLines(byStatus: StatusCounts): string[] {
  return Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `  ${status.padEnd(10)} ${n}`);
}

/** What the reports say: which were read, rows by last status, the files they name, the top errors. */
function totalLines(result: ReportResult): string[] {
  const reports = result.reports.map((r) => `${r.report} (${count(r.lines, 'line')}${r.tornLine === null ? '' : `; torn line ${r.tornLine} left out`})`);
  const lines = [`reports: ${reports.join(', ')}`, `rows: ${result.rows} (each by its last line)`, ...statusLines(result.byStatus)];
  if (result.duplicated > 0) lines.push(`  ${'duplicated'.padEnd(10)} ${result.duplicated} (accepted more than once)`);
  if (result.files.length > 0) lines.push('files the reports name:');
  for (const file of result.files) lines.push(`  ${file.file}  ${count(file.rows, 'row')}, ${count(file.lines, 'line')}`);
  if (result.topErrors.length > 0) lines.push('top errors (by rule; a row may break several):');
  for (const { error, count: n } of result.topErrors) lines.push(`  ${String(n).padStart(6)} × ${error}`);
  return lines;
}

/** `12 missing, 1 duplicated`: the rows not accepted exactly once, by why, for one input or for all. */
function problemWords(input: CoverageCounts): string[] {
  const parts: string[] = [];
  if (input.missing > 0) parts.push(`${input.missing} missing`);
  if (input.duplicated > 0) parts.push(`${input.duplicated} duplicated`);
  if (input.notAccepted > 0) parts.push(`${input.notAccepted} not accepted`);
  if (input.notInInput > 0) parts.push(`${input.notInInput} not in the input`);
  return parts;
}

/** One problem row: `file:line: row N: why`. */
function problemLine(problem: Problem, inputs: readonly InputCoverage[]): string {
  const last = problem.status === null ? '' : `last status ${problem.status}${problem.error === null ? '' : `: ${problem.error}`}`;
  const where = `${problem.file}:${problem.line}: row ${problem.row}`;
  switch (problem.problem) {
    case 'missing':
      return `${where}: missing (no report line has it)`;
    case 'duplicated':
      return `${where}: duplicated (accepted more than once; ${last})`;
    case 'notAccepted':
      return `${where}: not accepted (${last})`;
    case 'notInInput': {
      // Its line is the report's: the input has no such line.
      const rows = inputs.find((input) => input.file === problem.file)?.rows ?? 0;
      return `${problem.file}: row ${problem.row}: not in the input, which has ${count(rows, 'row')} (the report gives line ${problem.line}, ${last})`;
    }
  }
}

/** The coverage of --inputs: per input, the verdict, and the problem rows listed. */
function coverageLines(coverage: Coverage, reportNames: readonly string[], list: number): string[] {
  const lines = ['inputs:'];
  for (const input of coverage.inputs) {
    const covered = [
      `${input.acceptedOnce} accepted once`,
      ...(input.dropped > 0 ? [`${input.dropped} dropped by --transform`] : []),
      ...(input.duplicates > 0 ? [`${input.duplicates} duplicate${input.duplicates === 1 ? '' : 's'} of other rows`] : []),
      ...(input.skipped > 0 ? [`${input.skipped} skipped (accepted in an earlier run, by the ledger)`] : []),
    ];
    lines.push(`  ${input.file}  ${count(input.rows, 'row')}: ${[...covered, ...problemWords(input)].join(', ')}`);
    if (!input.named) {
      const names = reportNames.length === 0 ? 'none' : reportNames.map((name) => JSON.stringify(name)).join(', ');
      lines.push(`    no report names "${input.file}" (they name: ${names}): name the input exactly as it was given to submit`);
    }
  }
  if (coverage.complete) {
    const apart = [
      ...(coverage.dropped > 0 ? [`${coverage.dropped} that --transform left out on purpose`] : []),
      ...(coverage.duplicates > 0 ? [`${coverage.duplicates} that repeat another row, accepted as it`] : []),
      ...(coverage.skipped > 0 ? [`${coverage.skipped} the ledger had accepted in an earlier run`] : []),
    ];
    lines.push(`complete: every row of ${count(coverage.inputs.length, 'input')} (${count(coverage.rows, 'row')}) accepted exactly once${apart.length > 0 ? `, apart from ${apart.join(' and ')}` : ''}`);
    return lines;
  }
  const problems = coverage.rows - coverage.acceptedOnce - coverage.dropped - coverage.duplicates - coverage.skipped + coverage.notInInput;
  lines.push(`incomplete: ${count(problems, 'row')} not accepted exactly once (${problemWords(coverage).join(', ')})`);
  for (const problem of coverage.problems) lines.push(`  ${problemLine(problem, coverage.inputs)}`);
  if (coverage.unlisted > 0) lines.push(`  … and ${coverage.unlisted} more (--list ${list} lists the first ${list}; raise it to see more)`);
  return lines;
}

/** The report command's answer for people, on stdout. */
export function printReport(result: ReportResult, list: number): void {
  const lines = totalLines(result);
  if (result.coverage) lines.push(...coverageLines(result.coverage, result.files.map((f) => f.file), list));
  process.stdout.write(`${lines.join('\n')}\n`);
}
