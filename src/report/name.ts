import { basename } from 'node:path';

/** The default report name: `<first input's name>.report.ndjson` (validate: `.validation.ndjson`), here. */
export function defaultReportPath(files: readonly string[], command: 'submit' | 'validate'): string {
  const first = files[0] ?? '-';
  const name = first === '-' ? 'stdin' : basename(first);
  return command === 'validate' ? `${name}.validation.ndjson` : `${name}.report.ndjson`;
}
