/** Milliseconds in a UTC day (no leap seconds in JavaScript time). */
export const DAY_MS = 86_400_000;

/** The UTC day of a time, as the ledger and the daily quota count days: `2026-12-05`. */
export function utcDay(time: Date | number = Date.now()): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** When a UTC day `2026-12-05` begins (ms since the epoch). */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** A UTC day as a number: days since 1970-01-01 (how the ledger keeps it). */
export function dayNumber(day: string): number {
  return Math.round(dayStart(day) / DAY_MS);
}

/** A day number (dayNumber) as `2026-12-05`. */
export function dayText(days: number): string {
  return utcDay(days * DAY_MS);
}
