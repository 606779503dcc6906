import { BulkError } from '../errors.js';
import { openSource } from '../input/index.js';
import type { Source } from '../input/index.js';
import { resolveOptions } from '../options/index.js';
import { ReportReader } from '../report/index.js';
import { cover } from './coverage.js';
import { fillDetails } from './details.js';
import { Listing } from './listing.js';
import { Tally } from './tally.js';
import type { Coverage, CoverageCounts, InputCoverage, ReportOptions, ReportResult } from './report-result.js';

/** The inputs to check, each once; refuses stdin, which cannot be read again as submit read it. */
function inputNames(options: ReportOptions): string[] {
  if (options.reports.length === 0) throw new BulkError('BULK_USAGE', 'name at least one report to read');
  if (options.reports.includes('-')) throw new BulkError('BULK_OPTION_INVALID', 'a report is read twice at most, so it must be a file, not stdin (-)');
  const inputs = [...new Set(options.inputs ?? [])];
  if (inputs.includes('-')) throw new BulkError('BULK_OPTION_INVALID', 'Invalid --inputs: stdin (-) cannot be read again; save it to a file and submit that file');
  return inputs;
}

/** Opens every input (CSV headers read), so that one that cannot be read stops the command before the reports are read. */
async function openInputs(inputs: readonly string[], options: ReportOptions): Promise<Source[]> {
  const sources: Source[] = [];
  const read = { format: options.format, delimiter: options.delimiter, encoding: options.encoding, trim: options.trim, maxRecordSize: options.maxRecordSize };
  try {
    for (const input of inputs) sources.push(await openSource(input, read));
  } catch (error) {
    for (const source of sources) source.close();
    throw error;
  }
  return sources;
}

/** Streams every input against the tally, in order; then reads the listed problem rows' errors. */
async function covered(sources: readonly Source[], tally: Tally, readers: readonly ReportReader[], limit: number): Promise<Coverage> {
  const listing = new Listing(limit);
  const inputs: InputCoverage[] = [];
  for (const source of sources) inputs.push(await cover(source, tally.files.get(source.file), listing));
  await fillDetails(readers, listing.problems);
  const sum = (key: keyof CoverageCounts): number => inputs.reduce((total, input) => total + input[key], 0);
  const counts: CoverageCounts = {
    rows: sum('rows'),
    acceptedOnce: sum('acceptedOnce'),
    dropped: sum('dropped'),
    duplicates: sum('duplicates'),
    skipped: sum('skipped'),
    missing: sum('missing'),
    duplicated: sum('duplicated'),
    notAccepted: sum('notAccepted'),
    notInInput: sum('notInInput'),
  };
  // A row --transform left out was left out on purpose, and a duplicate's record went with the row it
  // repeats, and a skipped row's eventId the service accepted in an earlier run (the ledger says when):
  // nothing more was to be sent, so all three are covered.
  const complete = counts.acceptedOnce + counts.dropped + counts.duplicates + counts.skipped === counts.rows && counts.notInInput === 0;
  return { complete, ...counts, inputs, problems: listing.problems, unlisted: listing.unlisted };
}

/**
 * The `report` command's work, printing nothing: reads the reports in order (a row's last line is its
 * status) into compact per-row state, and with inputs streams each input once to say whether every row
 * is accepted exactly once. Every report and input is checked readable before any is read.
 */
export async function audit(given: ReportOptions): Promise<ReportResult> {
  const options = { ...resolveOptions('report', given, ['reports']), reports: given.reports };
  const inputs = inputNames(options);
  const readers: ReportReader[] = [];
  for (const path of options.reports) readers.push(await ReportReader.open(path));
  const sources = await openInputs(inputs, options);
  try {
    const tally = new Tally();
    for (const reader of readers) await tally.read(reader);
    const coverage = sources.length === 0 ? null : await covered(sources, tally, readers, options.list);
    return { ...tally.totals(), coverage };
  } finally {
    for (const source of sources) source.close();
  }
}
