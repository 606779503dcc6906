/**
 * The ledger (issue 28): a SQLite file of the ids the service accepted and the requests sent per day.
 * Importing this loads no SQLite: better-sqlite3 is loaded by Ledger.open().
 */
export { Ledger } from './ledger.js';
export type { AcceptedRow, DayCount, LedgerStats } from './ledger.js';
export { importReports } from './import-reports.js';
export type { ImportedReport } from './import-reports.js';
export { defaultDailyQuota, quotaLeft, SANDBOX_HOST } from './quota.js';
export type { QuotaLeft } from './quota.js';
export { utcDay, APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
