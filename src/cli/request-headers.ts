import { readFileSync } from 'node:fs';
import { BulkError } from '../index.js';
import { API_CREDENTIALS } from '../kinds.js';
import { parseHeaderLine } from '../options/index.js';

/** ASAPP_API_ID and ASAPP_API_SECRET from the environment, as the API's headers. */
function credentials(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { header, env } of API_CREDENTIALS) {
    const value = process.env[env];
    if (value) headers[header] = value;
  }
  return headers;
}

/** Reads a --header-file: `Name: value` lines, `#` comments and blank lines skipped. */
function readHeaderFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid --header-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const headers: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    try {
      const [name, value] = parseHeaderLine(line);
      headers[name] = value;
    } catch {
      throw new BulkError('BULK_OPTION_INVALID', `Invalid --header-file: ${file}:${i + 1}: expected "Name: value"`);
    }
  });
  return headers;
}

/**
 * The headers every request carries, as the library's `header` option: the credentials in the
 * environment, then --header-file's, then each -H, a later one replacing an earlier one of the same name.
 * Reading the secrets is the command line's business: they never need to be on it.
 */
export function requestHeaders(flags: { headerFile?: string | undefined; header?: Record<string, string> | undefined }): Record<string, string> {
  return { ...credentials(), ...(flags.headerFile === undefined ? {} : readHeaderFile(flags.headerFile)), ...flags.header };
}
