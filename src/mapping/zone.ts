import type { LocalOffset, ZoneReader } from './date-time.js';

const HOUR_MS = 3_600_000;
/** Days whose offset is known to hold all day, kept at most: a file's dates are usually few. */
const DAYS_KEPT = 4096;

/**
 * Reads wall times in an IANA zone with luxon, which knows the zone's daylight saving rules through the
 * platform's Intl data. Loaded only by a run that has --timezone and a date-time property to read.
 *
 * luxon takes about a tenth of a millisecond to place one wall time, so each day is asked about once:
 * when the zone's offset is the same from 14 hours before the day's local midnight (UTC+14 is the
 * furthest east) to 12 hours after its end (UTC-12 the furthest west), no change falls inside that day
 * and every time in it has that offset (no zone changes its offset twice within two days). Only the
 * days around a change ask luxon time by time, and it tells the gaps and overlaps there.
 */
export async function loadZone(name: string): Promise<ZoneReader> {
  const { DateTime, IANAZone } = await import('luxon');
  const zone = IANAZone.create(name);
  const days = new Map<number, number | null>();

  /** The offset all of day y-m-d has, or null when it holds a change (or one is near). */
  const dayOffset = (year: number, month: number, day: number): number | null => {
    const key = year * 10_000 + month * 100 + day;
    let offset = days.get(key);
    if (offset === undefined) {
      const midnight = Date.UTC(year, month - 1, day);
      const first = zone.offset(midnight - 14 * HOUR_MS);
      offset = first === zone.offset(midnight + 36 * HOUR_MS) ? first : null;
      if (days.size >= DAYS_KEPT) days.clear();
      days.set(key, offset);
    }
    return offset;
  };

  return {
    name,
    offsetAt(year, month, day, hour, minute, second): LocalOffset {
      const plain = dayOffset(year, month, day);
      if (plain !== null) return plain;
      const local = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
      if (!local.isValid) return null;
      // luxon moves a time the clocks skip forward (02:30 → 03:30): it came back changed.
      if (local.day !== day || local.hour !== hour || local.minute !== minute) {
        return { gap: true, forward: { day: local.day, hour: local.hour, minute: local.minute, offset: local.offset } };
      }
      const possible = local.getPossibleOffsets();
      // Twice: the larger offset is the earlier instant (summer time, before the clocks go back).
      return possible.length > 1 ? { overlap: possible.map((p) => p.offset).sort((a, b) => b - a) } : local.offset;
    },
  };
}
