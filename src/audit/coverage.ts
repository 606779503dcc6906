import type { Source } from '../input/index.js';
import type { Listing } from './listing.js';
import { isDuplicated, statusOf } from './rows.js';
import type { FileRows } from './rows.js';
import type { InputCoverage, ProblemKind } from './report-result.js';

/** What a row's byte says of its coverage: accepted exactly once, dropped by --transform, a duplicate of another row or skipped (the ledger had it accepted in an earlier run) (null), or why not. */
function problemOf(state: number): ProblemKind | null {
  if (state === 0) return 'missing';
  if (isDuplicated(state)) return 'duplicated';
  const status = statusOf(state);
  return status === 'accepted' || status === 'dropped' || status === 'duplicate' || status === 'skipped' ? null : 'notAccepted';
}

/**
 * Streams one input, row by row as submit read it, against what the reports say of it (`rows`, undefined
 * when no report names it): counts every row's coverage and lists the problem rows in input order; then
 * the rows the reports name past the input's end.
 */
export async function cover(source: Source, rows: FileRows | undefined, listing: Listing): Promise<InputCoverage> {
  const counts = { rows: 0, acceptedOnce: 0, dropped: 0, duplicates: 0, skipped: 0, missing: 0, duplicated: 0, notAccepted: 0, notInInput: 0 };
  const file = source.file;
  for await (const { line, row } of source.rows) {
    // Rows come numbered 1, 2, 3 … without gaps: the last one's number is the count.
    counts.rows = row;
    const state = rows?.state(row) ?? 0;
    const problem = problemOf(state);
    if (problem === null) {
      const status = statusOf(state);
      if (status === 'dropped') counts.dropped++;
      else if (status === 'duplicate') counts.duplicates++;
      else if (status === 'skipped') counts.skipped++;
      else counts.acceptedOnce++;
      continue;
    }
    counts[problem]++;
    listing.add(() => ({ file, line, row, problem, status: statusOf(state), error: null }));
  }
  for (let row = counts.rows + 1; rows && row <= rows.maxRow; row++) {
    const state = rows.state(row);
    if (state === 0) continue;
    counts.notInInput++;
    listing.add(() => ({ file, line: null, row, problem: 'notInInput', status: statusOf(state), error: null }));
  }
  return { file, named: rows !== undefined, ...counts };
}
