import type { LedgerImportResult, LedgerStatsResult } from '../index.js';
import { counted, thousands as n } from '../util/plural.js';

/** `1 id`, `12,000 ids`: the counts of these lines all with thousands separators. */
const many = (count: number, noun: string): string => counted(count, noun, n);

/** `ledger import`: one line per report, then what the ledger holds. */
export function printLedgerImport(result: LedgerImportResult): void {
  for (const r of result.reports) {
    process.stdout.write(`${r.report}: ${many(r.accepted, 'accepted id')}, ${n(r.added)} new (recorded as accepted on ${r.day}, the report's last change)\n`);
  }
  process.stdout.write(`${result.ledger}: ${many(result.ids, 'id')} held\n`);
}

/** `ledger stats`: ids held, requests per day of the last week per host, today's quota left. */
export function printLedgerStats(stats: LedgerStatsResult): void {
  const lines = [`${stats.ledger}: ${many(stats.ids, 'accepted id')} held`];
  if (stats.requests.length === 0) lines.push('requests, last 7 UTC days: none');
  else lines.push('requests per UTC day, last 7 days:', ...stats.requests.map((r) => `  ${r.day}  ${r.host}  ${n(r.count)}`));
  for (const q of stats.quota) lines.push(`today (${stats.today} UTC) ${q.host}: ${n(q.left)} of ${n(q.quota)} requests left (${n(q.spent)} spent; resets at 00:00 UTC)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
