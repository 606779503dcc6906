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

const FORMS = 'is not a date-time: write it as 2024-01-05T10:22:00Z or 2024-01-05 10:22+01:00 (with --timezone, 2024-01-05 10:22 and a date alone, 2024-01-05, are read too)';
const NOT_REAL = 'is not a real date and time: no such day, time of day or offset';

test('a date alone is the first instant of that day in --timezone: midnight, or where the clocks skip midnight, the time they skip to', async () => {
  assert.equal(normalizeDateTime('2024-01-05', paris), '2024-01-05T00:00:00+01:00');
  assert.equal(normalizeDateTime('2024-07-05', paris), '2024-07-05T00:00:00+02:00');
  assert.equal(normalizeDateTime('2024-03-31', paris), '2024-03-31T00:00:00+01:00', 'a day whose clocks change later on');
  assert.equal(normalizeDateTime('2024-02-29', utc), '2024-02-29T00:00:00Z');
  assert.equal(normalizeDateTime('2024-01-05', await loadZone('Asia/Kolkata')), '2024-01-05T00:00:00+05:30');
  const santiago = await loadZone('America/Santiago');
  assert.equal(normalizeDateTime('2024-09-08', santiago), '2024-09-08T01:00:00-03:00', 'the clocks skip 00:00-01:00: the day starts at 01:00');
  assert.equal(normalizeDateTime('2024-04-07', santiago), '2024-04-07T00:00:00-04:00', 'the clocks went back at midnight: 00:00 is once');
  assert.equal(normalizeDateTime('2024-03-31', await loadZone('Asia/Beirut')), '2024-03-31T01:00:00+03:00');
  assert.deepEqual(normalizeDateTime('2011-12-30', await loadZone('Pacific/Apia')), { rule: '2011-12-30 does not exist in Pacific/Apia (the clocks skip the whole day)' });
});

test('a date alone without --timezone names no instant: refused, saying to pass --timezone or give a time', () => {
  assert.deepEqual(normalizeDateTime('2024-01-05', undefined), {
    rule: 'is a date without a time, which names no instant: pass --timezone to read it as midnight there (e.g. --timezone Europe/Paris), or write the time and its offset',
  });
});

test('a refused date-time says which forms are read; one that has the form but no such day, time or offset says so', () => {
  for (const text of ['next tuesday', '', '2024-01-05 10:22 PM', '2024/01/05 10:22', '20240105T102200Z', '2024-1-5 10:22', '10:22', '31/02/2024', '13/13/2024']) {
    assert.deepEqual(normalizeDateTime(text, paris), { rule: FORMS }, JSON.stringify(text));
    assert.deepEqual(normalizeDateTime(text, undefined), { rule: FORMS }, JSON.stringify(text));
  }
  for (const text of ['2024-02-30 10:00', '2023-02-29 10:00', '2024-13-01 10:00', '2024-01-05 24:00', '2024-01-05 10:60', '2024-01-05 10:22+25:00', '2024-01-05 10:22+01:60', '2024-02-30', '2024-00-10']) {
    assert.deepEqual(normalizeDateTime(text, paris), { rule: NOT_REAL }, text);
    assert.deepEqual(normalizeDateTime(text, undefined), { rule: NOT_REAL }, text);
  }
  assert.equal(normalizeDateTime('2016-12-31 23:59:60Z', undefined), '2016-12-31 23:59:60Z', 'a leap second is left as it is, for validation to judge');
});

test('a date written year last is refused, saying how to write it; 05/01/2024 is 5 January or 1 May and the message says so', () => {
  assert.deepEqual(normalizeDateTime('05/01/2024 10:22', paris), { rule: 'is ambiguous (5 January or 1 May 2024?): write the year first, 2024-01-05 10:22 or 2024-05-01 10:22' });
  assert.deepEqual(normalizeDateTime('1.2.2024', undefined), { rule: 'is ambiguous (1 February or 2 January 2024?): write the year first, 2024-02-01 or 2024-01-02' });
  assert.deepEqual(normalizeDateTime('13/01/2024 10:22:05', paris), { rule: 'must have the year first: 2024-01-13 10:22:05' }, 'day first: one reading');
  assert.deepEqual(normalizeDateTime('01/13/2024', paris), { rule: 'must have the year first: 2024-01-13' }, 'month first: one reading');
  assert.deepEqual(normalizeDateTime('05-05-2024T08:00', undefined), { rule: 'must have the year first: 2024-05-05T08:00' }, 'the same either way');
  assert.deepEqual(normalizeDateTime('30/02/2024', undefined), { rule: FORMS }, 'no such day either way');
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
  const refused = [];
  assert.deepEqual(normalizeDateTimes({ startTs: '05/01/2024 10:22', endTs: '2024-01-05' }, ['startTs', 'endTs'], paris, refused), { endTs: '2024-01-05T00:00:00+01:00' });
  assert.deepEqual(refused, ['startTs: is ambiguous (5 January or 1 May 2024?): write the year first, 2024-01-05 10:22 or 2024-05-01 10:22 (got "05/01/2024 10:22")']);
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
