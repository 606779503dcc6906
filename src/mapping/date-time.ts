import { shown } from '../schema/index.js';

/**
 * Date-times as real exports write them (`2024-01-05 10:22:00`, `2024-01-05T10:22`), made RFC 3339 for
 * the API: `T` between date and time, seconds always, the offset as `Z` or `±HH:MM`. A value without an
 * offset is read in the --timezone zone (zone.ts, loaded only when needed); without one it is refused,
 * as it names no instant. A value that is no date-time at all is left as it is, for validation to refuse.
 */

/** What a zone says of a local wall time: its offset (minutes east of UTC), or why it has none. */
export type LocalOffset = number | { readonly gap: true } | { readonly overlap: readonly number[] } | null;

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

/** A real calendar date and wall time (no 24:00, no leap second: validation judges those). */
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

/**
 * One date-time value as it is sent: the RFC 3339 text, or the problem that makes its row invalid (no
 * offset and no zone; a local time the zone skips or repeats). Text that is not a real date-time comes
 * back as it is: validation refuses it as it always did.
 */
export function normalizeDateTime(text: string, zone: ZoneReader | undefined): string | DateTimeProblem {
  if (RFC3339.test(text)) return text;
  const match = LOOSE.exec(text);
  if (!match) return text;
  const [, y, mo, d, h, mi, s = '00', fraction = '', written] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (!isReal(year, month, day, hour, minute, second)) return text;
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}`;
  if (written !== undefined) {
    const offset = writtenOffset(written);
    return offset === undefined ? text : wall + offset;
  }
  if (zone === undefined) {
    return { rule: 'has no UTC offset: pass --timezone with the zone it was written in (e.g. --timezone Europe/Paris), or write the offset' };
  }
  const local = zone.offsetAt(year, month, day, hour, minute, second);
  if (local === null) return text;
  if (typeof local === 'number') return wall + offsetText(local);
  const when = `${y}-${mo}-${d} ${h}:${mi}`;
  if ('gap' in local) return { rule: `${when} does not exist in ${zone.name} (the clocks skip it); write the offset` };
  const [first, then] = local.overlap.map(offsetText);
  return { rule: `${when} occurs twice in ${zone.name} (at ${first}, then again at ${then}, as the clocks go back); write the offset meant` };
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
