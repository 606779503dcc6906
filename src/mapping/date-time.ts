import { shown } from '../schema/index.js';

/**
 * Date-times as real exports write them (`2024-01-05 10:22:00`, `2024-01-05T10:22`, `2024-01-05`), made
 * RFC 3339 for the API: `T` between date and time, seconds always, the offset as `Z` or `±HH:MM`. A value
 * without an offset is read in the --timezone zone (zone.ts, loaded only when needed), a date alone as
 * that day's midnight there; without a zone either is refused, as it names no instant. Any other text is
 * refused with the forms that are read (and, for `05/01/2024`, why it cannot be read).
 */

/**
 * What a zone says of a local wall time: its offset (minutes east of UTC), or why it has none. A time the
 * clocks skip comes with the wall time as far past the skip as it was into it, and that time's offset
 * (02:30 → 03:30 where 02:00 became 03:00): for a skip that starts at midnight, where the day begins.
 */
export type LocalOffset = number | { readonly gap: true; readonly forward: WallTime } | { readonly overlap: readonly number[] } | null;

/** A wall time (day of the month, hour, minute) and its offset. */
export interface WallTime {
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly offset: number;
}

/** Reads local wall times in one zone; `null` from `offsetAt` means it cannot tell. */
export interface ZoneReader {
  readonly name: string;
  offsetAt(year: number, month: number, day: number, hour: number, minute: number, second: number): LocalOffset;
}

/** Why a date-time cannot be sent: the rule, for `property: rule (got "value")`. */
export interface DateTimeProblem {
  readonly rule: string;
}

/** Already what is sent: nothing to do (the common case, tested first, without a match array). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** Date, `T`/`t`/space, hours and minutes, optional seconds and fraction, optional `Z` or offset (±HH, ±HHMM, ±HH:MM). */
const LOOSE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?: ?([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date and wall time (no 24:00; no leap second, which the caller leaves to validation). */
function isReal(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month - 1] || hour > 23 || minute > 59 || second > 59) return false;
  return month !== 2 || day < 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}

/** Minutes east of UTC as `Z` or `±HH:MM`. */
export function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An offset as written (`z`, `+01`, `+0100`, `+01:00`) as RFC 3339 has it; undefined when it is out of range. */
function writtenOffset(text: string): string | undefined {
  if (text === 'Z' || text === 'z') return 'Z';
  const hours = Number(text.slice(1, 3));
  const minutes = text.length > 3 ? Number(text.slice(-2)) : 0;
  return hours > 23 || minutes > 59 ? undefined : `${text[0]}${text.slice(1, 3)}:${String(minutes).padStart(2, '0')}`;
}

/** A date alone: with --timezone, its midnight there. */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date with the year last (`05/01/2024`, `5.1.2024`), maybe a time after it. */
const YEAR_LAST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})((?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const FORMS = 'is not a date-time: write it as 2024-01-05T10:22:00Z or 2024-01-05 10:22+01:00 (with --timezone, 2024-01-05 10:22 and a date alone, 2024-01-05, are read too)';
const NOT_REAL = 'is not a real date and time: no such day, time of day or offset';
const NO_OFFSET = 'has no UTC offset: pass --timezone with the zone it was written in (e.g. --timezone Europe/Paris), or write the offset';
const NO_TIME = 'is a date without a time, which names no instant: pass --timezone to read it as midnight there (e.g. --timezone Europe/Paris), or write the time and its offset';

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * One date-time value as it is sent: the RFC 3339 text, or the problem that makes its row invalid (not a
 * date-time; no offset and no zone; a local time the zone skips or repeats). A leap second is left as it
 * is: validation judges it.
 */
export function normalizeDateTime(text: string, zone: ZoneReader | undefined): string | DateTimeProblem {
  if (RFC3339.test(text)) return text;
  const match = LOOSE.exec(text);
  if (match) return dateAndTime(text, match, zone);
  const date = DATE_ONLY.exec(text);
  if (date) return dateAlone(date, zone);
  const yearLast = YEAR_LAST.exec(text);
  return { rule: yearLast ? yearFirst(yearLast) : FORMS };
}

/** A date and a time (LOOSE's match), with its written offset or read in the zone. */
function dateAndTime(text: string, match: RegExpExecArray, zone: ZoneReader | undefined): string | DateTimeProblem {
  const [, y, mo, d, h, mi, s = '00', fraction = '', written] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (second === 60) return text;
  if (!isReal(year, month, day, hour, minute, second)) return { rule: NOT_REAL };
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}`;
  if (written !== undefined) {
    const offset = writtenOffset(written);
    return offset === undefined ? { rule: NOT_REAL } : wall + offset;
  }
  if (zone === undefined) return { rule: NO_OFFSET };
  const local = zone.offsetAt(year, month, day, hour, minute, second);
  if (local === null) return text;
  if (typeof local === 'number') return wall + offsetText(local);
  const when = `${y}-${mo}-${d} ${h}:${mi}`;
  if ('gap' in local) return { rule: `${when} does not exist in ${zone.name} (the clocks skip it); write the offset` };
  const [first, then] = local.overlap.map(offsetText);
  return { rule: `${when} occurs twice in ${zone.name} (at ${first}, then again at ${then}, as the clocks go back); write the offset meant` };
}

/**
 * A date alone: the first instant of that day in the zone. That is midnight; where the clocks skip
 * midnight, the time they skip to; where they repeat it, the first of the two.
 */
function dateAlone(match: RegExpExecArray, zone: ZoneReader | undefined): string | DateTimeProblem {
  const [date, y, mo, d] = match;
  const [year, month, day] = [y, mo, d].map(Number);
  if (!isReal(year, month, day, 0, 0, 0)) return { rule: NOT_REAL };
  if (zone === undefined) return { rule: NO_TIME };
  const local = zone.offsetAt(year, month, day, 0, 0, 0);
  if (local === null) return date;
  if (typeof local === 'number') return `${date}T00:00:00${offsetText(local)}`;
  if ('overlap' in local) return `${date}T00:00:00${offsetText(local.overlap[0])}`;
  const { forward } = local;
  if (forward.day !== day) return { rule: `${date} does not exist in ${zone.name} (the clocks skip the whole day)` };
  return `${date}T${pad(forward.hour)}:${pad(forward.minute)}:00${offsetText(forward.offset)}`;
}

/** Why a date written year last is not read, and how to write it: `05/01/2024` may be 5 January or 1 May. */
function yearFirst(match: RegExpExecArray): string {
  const [, first, , second, year, time] = match;
  const [a, b] = [Number(first), Number(second)];
  const as = (day: number, month: number): string | undefined =>
    isReal(Number(year), month, day, 0, 0, 0) ? `${year}-${pad(month)}-${pad(day)}${time}` : undefined;
  const dayFirst = as(a, b);
  const monthFirst = a === b ? undefined : as(b, a);
  if (dayFirst !== undefined && monthFirst !== undefined) {
    return `is ambiguous (${a} ${MONTHS[b - 1]} or ${b} ${MONTHS[a - 1]} ${year}?): write the year first, ${dayFirst} or ${monthFirst}`;
  }
  const only = dayFirst ?? monthFirst;
  return only === undefined ? FORMS : `must have the year first: ${only}`;
}

/**
 * The record with its date-time properties (`names`) made RFC 3339, copied before the first change (it
 * may be the input's own value, kept for the rejects file). A value that cannot be sent is left out of
 * the record, and its problem added to `errors`, as a cell that does not convert is.
 */
export function normalizeDateTimes(record: Record<string, unknown>, names: readonly string[], zone: ZoneReader | undefined, errors: string[]): Record<string, unknown> {
  let out = record;
  for (const name of names) {
    const value = record[name];
    if (typeof value !== 'string') continue;
    const normal = normalizeDateTime(value, zone);
    if (normal === value) continue;
    if (out === record) out = { ...record };
    if (typeof normal === 'string') {
      out[name] = normal;
    } else {
      delete out[name];
      errors.push(`${name}: ${normal.rule} (got ${shown(value)})`);
    }
  }
  return out;
}
