// Date-times as exports write them, made RFC 3339; a value without an offset read in --timezone, with
// daylight saving's gaps and overlaps refused. The zone reader's day cache is checked against Intl.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeDateTime, normalizeDateTimes } from '../../dist/mapping/date-time.js';
import { loadZone } from '../../dist/mapping/zone.js';

const paris = await loadZone('Europe/Paris');
const utc = await loadZone('UTC');

test('a value with an offset is made RFC 3339: T, seconds, the offset as Z or ±HH:MM; nothing else changes', () => {
  const cases = {
    '2024-01-05T10:22:00Z': '2024-01-05T10:22:00Z',
    '2024-01-05T10:22:00.125+01:00': '2024-01-05T10:22:00.125+01:00',
    '2024-01-05 10:22:00Z': '2024-01-05T10:22:00Z',
    '2024-01-05t10:22z': '2024-01-05T10:22:00Z',
    '2024-01-05 10:22+0100': '2024-01-05T10:22:00+01:00',
    '2024-01-05 10:22:00.123456-05': '2024-01-05T10:22:00.123456-05:00',
    '2024-01-05 10:22:00 +05:30': '2024-01-05T10:22:00+05:30',
  };
  for (const [given, sent] of Object.entries(cases)) {
    assert.equal(normalizeDateTime(given, undefined), sent, given);
    assert.equal(normalizeDateTime(given, paris), sent, `${given}: a written offset wins over --timezone`);
  }
});

test('without an offset: read in the zone (winter, summer, UTC as Z); without a zone, a problem naming --timezone', () => {
  assert.equal(normalizeDateTime('2024-01-05 10:22:00', paris), '2024-01-05T10:22:00+01:00');
  assert.equal(normalizeDateTime('2024-01-05T10:22', paris), '2024-01-05T10:22:00+01:00');
  assert.equal(normalizeDateTime('2024-07-05 10:22', paris), '2024-07-05T10:22:00+02:00');
  assert.equal(normalizeDateTime('2024-07-05 10:22:07.5', paris), '2024-07-05T10:22:07.5+02:00');
  assert.equal(normalizeDateTime('2024-01-05 10:22', utc), '2024-01-05T10:22:00Z');
  assert.equal(normalizeDateTime('2024-02-29 23:59:59', utc), '2024-02-29T23:59:59Z');
  const problem = normalizeDateTime('2024-01-05 10:22', undefined);
  assert.equal(typeof problem, 'object');
  assert.match(problem.rule, /has no UTC offset: pass --timezone/);
});

test('daylight saving in Europe/Paris: 2024-03-31 02:30 does not exist, 2024-10-27 02:30 exists twice; both refused', () => {
  assert.match(normalizeDateTime('2024-03-31 02:30', paris).rule, /^2024-03-31 02:30 does not exist in Europe\/Paris \(the clocks skip it\); write the offset$/);
  assert.match(normalizeDateTime('2024-10-27 02:30:00', paris).rule, /^2024-10-27 02:30 occurs twice in Europe\/Paris \(at \+02:00, then again at \+01:00, as the clocks go back\)/);
  // The minutes either side of each change are plain.
  assert.equal(normalizeDateTime('2024-03-31 01:59:59', paris), '2024-03-31T01:59:59+01:00');
  assert.equal(normalizeDateTime('2024-03-31 03:00', paris), '2024-03-31T03:00:00+02:00');
  assert.equal(normalizeDateTime('2024-10-27 01:59', paris), '2024-10-27T01:59:00+02:00');
  assert.equal(normalizeDateTime('2024-10-27 03:00', paris), '2024-10-27T03:00:00+01:00');
  // A written offset says which of the two is meant, and a time in the gap is then an instant as any other.
  assert.equal(normalizeDateTime('2024-10-27 02:30+01:00', paris), '2024-10-27T02:30:00+01:00');
});

test('other zones: the US, the southern hemisphere, a half-hour zone, a half-hour daylight saving shift', async () => {
  const newYork = await loadZone('America/New_York');
  assert.match(normalizeDateTime('2024-03-10 02:30', newYork).rule, /does not exist in America\/New_York/);
  assert.match(normalizeDateTime('2024-11-03 01:30', newYork).rule, /at -04:00, then again at -05:00/);
  const sydney = await loadZone('Australia/Sydney');
  assert.match(normalizeDateTime('2024-04-07 02:30', sydney).rule, /at \+11:00, then again at \+10:00/);
  assert.match(normalizeDateTime('2024-10-06 02:30', sydney).rule, /does not exist/);
  assert.equal(normalizeDateTime('2024-01-05 10:22', await loadZone('Asia/Kolkata')), '2024-01-05T10:22:00+05:30');
  const lordHowe = await loadZone('Australia/Lord_Howe');
  assert.match(normalizeDateTime('2024-04-07 01:45', lordHowe).rule, /at \+11:00, then again at \+10:30/);
});

test('what is not a real date-time comes back as it is, for validation to refuse', () => {
  for (const text of ['next tuesday', '2024-02-30 10:00', '2023-02-29 10:00', '2024-13-01 10:00', '2024-01-05 24:00', '2024-01-05 10:22+25:00', '2024-01-05', '05/01/2024 10:22']) {
    assert.equal(normalizeDateTime(text, paris), text, text);
    assert.equal(normalizeDateTime(text, undefined), text, text);
  }
});

test('normalizeDateTimes: copies the record before the first change; a value that cannot be sent leaves the record, its problem in errors', () => {
  const record = { startTs: '2024-01-05 10:22', name: 'x' };
  const errors = [];
  const out = normalizeDateTimes(record, ['startTs'], paris, errors);
  assert.deepEqual(out, { startTs: '2024-01-05T10:22:00+01:00', name: 'x' });
  assert.equal(record.startTs, '2024-01-05 10:22', 'the input value is not changed');
  const same = { startTs: '2024-01-05T10:22:00Z' };
  assert.equal(normalizeDateTimes(same, ['startTs'], undefined, errors), same, 'nothing to change: no copy');
  const bad = normalizeDateTimes({ startTs: '2024-01-05 10:22', n: 1 }, ['startTs', 'missing'], undefined, errors);
  assert.deepEqual(bad, { n: 1 });
  assert.deepEqual(errors, ['startTs: has no UTC offset: pass --timezone with the zone it was written in (e.g. --timezone Europe/Paris), or write the offset (got "2024-01-05 10:22")']);
});

const formats = new Map();
/** The wall time an instant shows in a zone, as `YYYY-MM-DD HH:MM:SS`, by Intl alone. */
function wallTime(ms, zone) {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

test('any instant, shown as a wall time in a zone, is read back as that instant, or refused as one of two (overlap)', async () => {
  const zones = ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Santiago', 'Australia/Lord_Howe', 'UTC'];
  const readers = Object.fromEntries(await Promise.all(zones.map(async (z) => [z, await loadZone(z)])));
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1995, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }), (zone, seconds) => {
      const ms = seconds * 1000;
      const wall = wallTime(ms, zone);
      const read = normalizeDateTime(wall, readers[zone]);
      if (typeof read === 'string') return Date.parse(read) === ms;
      // Only an overlap can refuse a wall time that some instant shows.
      return /occurs twice/.test(read.rule) && [1, -1].some((sign) => wallTime(ms + sign * 3_600_000, zone) === wall || wallTime(ms + sign * 1_800_000, zone) === wall);
    }),
    { numRuns: 3000 },
  );
});

test('every hour of 2024 (half hour on Lord Howe) in zones with daylight saving reads back as itself, or is refused as an overlap', async () => {
  for (const [zone, step] of [['Europe/Paris', 3_600_000], ['America/Santiago', 3_600_000], ['Australia/Lord_Howe', 1_800_000]]) {
    const reader = await loadZone(zone);
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += step) {
      const wall = wallTime(ms, zone);
      const read = normalizeDateTime(wall, reader);
      if (typeof read === 'string') assert.equal(Date.parse(read), ms, `${zone} ${wall}`);
      else assert.match(read.rule, /occurs twice/, `${zone} ${wall}`);
    }
  }
});
