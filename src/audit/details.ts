import type { ReportReader } from '../report/index.js';
import type { Problem } from './report-result.js';

/** Whether a listed problem needs its last report line read again: for its error, or (past the input's end) its line. */
function needsDetails(problem: Problem): boolean {
  return problem.problem === 'notInInput' || (problem.status !== null && problem.status !== 'accepted');
}

/**
 * Reads the reports again, in the same order, for the listed problem rows' last error (and, for a row
 * past the input's end, the line its report gives): only these few rows are held, so memory stays flat.
 * Skipped when no listed row needs it.
 */
export async function fillDetails(readers: readonly ReportReader[], problems: readonly Problem[]): Promise<void> {
  const wanted = new Map<string, Map<number, Problem>>();
  for (const problem of problems.filter(needsDetails)) {
    let rows = wanted.get(problem.file);
    if (!rows) wanted.set(problem.file, (rows = new Map<number, Problem>()));
    rows.set(problem.row, problem);
  }
  if (wanted.size === 0) return;
  for (const reader of readers) {
    for await (const entry of reader.entries()) {
      const problem = wanted.get(entry.file)?.get(entry.row);
      if (!problem) continue;
      problem.error = entry.error;
      if (problem.problem === 'notInInput') problem.line = entry.line;
    }
  }
}
