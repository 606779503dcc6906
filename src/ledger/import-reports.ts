import { promises as fs } from 'node:fs';
import { ReportReader } from '../report/index.js';
import type { Ledger, AcceptedRow } from './ledger.js';
import { utcDay } from './schema.js';

/** What `ledger import` did with one report. */
export interface ImportedReport {
  readonly report: string;
  /** The UTC day its ids are recorded with: the report's last change (report lines carry no time). */
  readonly day: string;
  /** Its `accepted` lines with an eventId. */
  readonly accepted: number;
  /** Of those, the ids the ledger did not hold yet. */
  readonly added: number;
}

/** Ids recorded per transaction: short enough not to hold other processes' writes back for long. */
const TRANSACTION_ROWS = 10_000;

/**
 * Seeds a ledger from reports, streaming: every `accepted` line's eventId, with the report's day and the
 * line's `file:row`. Only accepted lines: a `duplicate` line repeats an earlier row of its run, whose own
 * line is the accepted one (or not, and then the service never had the id).
 */
export async function importReports(ledger: Ledger, reports: readonly string[]): Promise<ImportedReport[]> {
  const readers = [];
  for (const report of reports) readers.push(await ReportReader.open(report));
  const done: ImportedReport[] = [];
  for (const reader of readers) done.push(await importReport(ledger, reader));
  return done;
}

async function importReport(ledger: Ledger, reader: ReportReader): Promise<ImportedReport> {
  const day = utcDay((await fs.stat(reader.path)).mtime);
  let rows: AcceptedRow[] = [];
  let accepted = 0;
  let added = 0;
  for await (const entry of reader.entries()) {
    if (entry.status !== 'accepted' || entry.eventId === null) continue;
    accepted++;
    rows.push({ eventId: entry.eventId, day, source: `${entry.file}:${entry.row}` });
    if (rows.length < TRANSACTION_ROWS) continue;
    added += recordNew(ledger, rows);
    rows = [];
  }
  added += recordNew(ledger, rows);
  ledger.merge();
  return { report: reader.path, day, accepted, added };
}

/**
 * Records the rows whose ids the ledger does not hold (a report imported twice adds nothing, not even to
 * `sent`); returns how many.
 */
function recordNew(ledger: Ledger, rows: readonly AcceptedRow[]): number {
  if (rows.length === 0) return 0;
  const held = ledger.acceptedDays(rows.map((row) => row.eventId));
  const fresh = held.size === 0 ? rows : rows.filter((row) => !held.has(row.eventId));
  ledger.recordAccepted(fresh);
  return fresh.length;
}
