import { openCsv } from './csv.js';
import type { CsvOptions } from './csv.js';
import { openNdjson } from './ndjson.js';
import type { NdjsonOptions } from './ndjson.js';
import { openInput } from './open-input.js';
import type { OpenOptions, Source } from './source.js';

export type { Format, Source, SourceRow, OpenedInput } from './source.js';
export { formatFromName } from './format-from-name.js';

export type SourceOptions = OpenOptions & CsvOptions & NdjsonOptions;

/** Opens a path (or `-`) and, for CSV, reads its header, ready to yield rows. */
export async function openSource(path: string, options: SourceOptions = {}): Promise<Source> {
  const input = await openInput(path, options);
  return input.format === 'csv' ? openCsv(input, options) : await openNdjson(input, options);
}
