import { basename } from 'node:path';
import { isRemote, remoteFileName } from '../util/remote.js';

/**
 * The default report name: `<first input's name>.report.ndjson` (validate: `.validation.ndjson`), here.
 * A URL's name is the last segment of its path, without the query (`…/day.csv?X-Amz-…` → `day.csv`).
 */
export function defaultReportPath(files: readonly string[], command: 'submit' | 'validate'): string {
  const first = files[0] ?? '-';
  const name = first === '-' ? 'stdin' : isRemote(first) ? remoteFileName(first) : basename(first);
  return command === 'validate' ? `${name}.validation.ndjson` : `${name}.report.ndjson`;
}
