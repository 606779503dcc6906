/** The UTC day of a time, as the ledger and the daily quota count days: `2026-12-05`. */
export function utcDay(time: Date | number = Date.now()): string {
  return new Date(time).toISOString().slice(0, 10);
}
