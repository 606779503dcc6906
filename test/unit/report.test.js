// Unit tests for src/report: CSV text, report and rejects writers on real files, the summary's Stats, the lock.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSink, REPORT_COLUMNS, RejectsWriter, ReportLock, ReportReader, ReportWriter, Stats, csvLine, readResumeState } from '../../dist/report/index.js';
import { DoneRows } from '../../dist/prepare/done-rows.js';
import { violationKey, violationsOf, violationsText } from '../../dist/schema/index.js';
import { ErrorKeys } from '../../dist/audit/error-keys.js';
import { tempDir } from '../helpers/cli.js';

const line = (extra = {}) => ({ file: 'in.csv', line: 3, row: 2, status: 'rejected', eventId: 'e-1', digest: '00ff00ff00ff00ff', httpStatus: 200, attempts: 1, error: 'FAIL_X: "quoted", comma', ...extra });

test('csvLine quotes commas, quotes, line breaks and edge spaces, and nothing else', () => {
  assert.equal(csvLine(['plain', 'with space', 'x-1.5']), 'plain,with space,x-1.5\n');
  assert.equal(csvLine(['b,c']), '"b,c"\n');
  assert.equal(csvLine(['say "hi"']), '"say ""hi"""\n');
  assert.equal(csvLine(['"']), '""""\n');
  assert.equal(csvLine(['two\nlines', 'cr\rhere', 'crlf\r\nx']), '"two\nlines","cr\rhere","crlf\r\nx"\n');
  assert.equal(csvLine([' lead', 'trail ', '\ttab', ' ']), '" lead","trail ","\ttab"," "\n');
  assert.equal(csvLine([null, undefined, '', 0, 3.5]), ',,,0,3.5\n');
  assert.equal(csvLine([]), '\n');
  assert.equal(csvLine(['a;b', 'c,d'], ';'), '"a;b";c,d\n', 'another delimiter quotes that delimiter instead');
});

test('report lines as NDJSON: one JSON object a line, in column order, nulls kept', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.ndjson');
  const writer = new ReportWriter(await FileSink.open(path, 'create'), { writeHeader: true });
  assert.equal(writer.path, path);
  writer.write(line());
  writer.write(line({ file: 'dir/a "b".csv', line: 10, row: 8, status: 'invalid', eventId: null, digest: null, httpStatus: null, attempts: 0, error: 'x: y\nz' }));
  writer.write(line({ status: 'accepted', error: null, httpStatus: 409, attempts: 3 }));
  await writer.close();
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines.length, 4, 'three lines, each ending in \\n, no header');
  assert.equal(lines[3], '');
  assert.equal(lines[0], '{"file":"in.csv","line":3,"row":2,"status":"rejected","eventId":"e-1","digest":"00ff00ff00ff00ff","httpStatus":200,"attempts":1,"error":"FAIL_X: \\"quoted\\", comma"}');
  const parsed = lines.slice(0, 3).map((l) => JSON.parse(l));
  for (const value of parsed) assert.deepEqual(Object.keys(value), REPORT_COLUMNS.filter((c) => c !== 'repeats' && c !== 'acceptedOn'), 'repeats only on a duplicate, acceptedOn only on a skipped line');
  assert.deepEqual(parsed[1], { file: 'dir/a "b".csv', line: 10, row: 8, status: 'invalid', eventId: null, digest: null, httpStatus: null, attempts: 0, error: 'x: y\nz' });
  assert.deepEqual(parsed[2], line({ status: 'accepted', error: null, httpStatus: 409, attempts: 3 }));
});

test('a duplicate line names the row it repeats, after the columns; an unknown one as null', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.ndjson');
  const writer = new ReportWriter(await FileSink.open(path, 'create'), { writeHeader: true });
  writer.write(line({ status: 'duplicate', httpStatus: null, attempts: 0, error: null, repeats: { file: 'night "1".csv', row: 7 } }));
  writer.write(line({ status: 'duplicate', httpStatus: null, attempts: 0, error: null, repeats: null }));
  await writer.close();
  const [first, second] = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(first), REPORT_COLUMNS.filter((c) => c !== 'acceptedOn'));
  assert.deepEqual(first.repeats, { file: 'night "1".csv', row: 7 });
  assert.equal(second.repeats, null);
  const csv = new ReportWriter(await FileSink.open(join(dir, 'r.csv'), 'create'), { writeHeader: true });
  csv.write(line({ status: 'duplicate', httpStatus: null, attempts: 0, error: null, repeats: { file: 'a.csv', row: 7 } }));
  await csv.close();
  assert.match(readFileSync(join(dir, 'r.csv'), 'utf8'), /\nin\.csv,3,2,duplicate,e-1,00ff00ff00ff00ff,,0,,a\.csv:7,\n$/);
});

test('a skipped line (the ledger held its eventId) says the day it was accepted, last', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.ndjson');
  const writer = new ReportWriter(await FileSink.open(path, 'create'), { writeHeader: true });
  writer.write(line({ status: 'skipped', httpStatus: null, attempts: 0, error: null, acceptedOn: '2026-12-04' }));
  await writer.close();
  const skipped = JSON.parse(readFileSync(path, 'utf8'));
  assert.deepEqual(Object.keys(skipped), REPORT_COLUMNS.filter((c) => c !== 'repeats'));
  assert.equal(skipped.acceptedOn, '2026-12-04');
  const csv = new ReportWriter(await FileSink.open(join(dir, 'r.csv'), 'create'), { writeHeader: true });
  csv.write(line({ status: 'skipped', httpStatus: null, attempts: 0, error: null, acceptedOn: '2026-12-04' }));
  await csv.close();
  assert.match(readFileSync(join(dir, 'r.csv'), 'utf8'), /\nin\.csv,3,2,skipped,e-1,00ff00ff00ff00ff,,0,,,2026-12-04\n$/);
});

test('report lines as CSV when the name ends in .csv: a header, then quoted cells', async () => {
  const dir = tempDir();
  const csv = new ReportWriter(await FileSink.open(join(dir, 'r.CSV'), 'create'), { writeHeader: true });
  csv.write(line());
  csv.write(line({ status: 'invalid', eventId: null, digest: null, httpStatus: null, attempts: 0, error: 'a: b\nc' }));
  await csv.close();
  assert.equal(
    readFileSync(join(dir, 'r.CSV'), 'utf8'),
    'file,line,row,status,eventId,digest,httpStatus,attempts,error,repeats,acceptedOn\n' +
      'in.csv,3,2,rejected,e-1,00ff00ff00ff00ff,200,1,"FAIL_X: ""quoted"", comma",,\n' +
      'in.csv,3,2,invalid,,,,0,"a: b\nc",,\n',
  );
  const appended = new ReportWriter(await FileSink.open(join(dir, 'r.CSV'), 'append'), { writeHeader: false });
  appended.write(line({ row: 9 }));
  await appended.close();
  assert.equal(readFileSync(join(dir, 'r.CSV'), 'utf8').split('\n').filter((l) => l.startsWith('file,')).length, 1, 'no second header when appending');
});

test('ReportReader reads back what ReportWriter wrote, NDJSON and CSV alike, errors with quotes and line breaks', async () => {
  const dir = tempDir();
  const written = [line(), line({ row: 5, line: 7, status: 'accepted', error: null }), line({ status: 'invalid', error: 'a: b\nc, "d"' })];
  for (const name of ['r.ndjson', 'r.csv']) {
    const writer = new ReportWriter(await FileSink.open(join(dir, name), 'create'), { writeHeader: true });
    for (const l of written) writer.write(l);
    await writer.close();
    const reader = await ReportReader.open(join(dir, name));
    const read = [];
    for await (const entry of reader.entries()) read.push(entry);
    const ats = name === 'r.csv' ? [2, 3, 5] : [1, 2, 3];
    assert.deepEqual(read, written.map(({ file, line: l, row, status, eventId, error }, i) => ({ file, line: l, row, status, eventId, error, at: ats[i] })), name);
    assert.equal(reader.lines, 3);
    assert.equal(reader.torn, undefined);
  }
});

test('ReportReader: an empty report has no lines; a torn last line is left out; a bad line before the last is an error naming it', async () => {
  const dir = tempDir();
  const read = async (name, text) => {
    writeFileSync(join(dir, name), text);
    const reader = await ReportReader.open(join(dir, name));
    const entries = [];
    for await (const entry of reader.entries()) entries.push(entry);
    return { n: entries.length, torn: reader.torn };
  };
  assert.deepEqual(await read('empty.ndjson', ''), { n: 0, torn: undefined });
  const good = `${JSON.stringify(line())}\r\n\n`;
  assert.deepEqual(await read('torn.ndjson', `${good}${good}{"file":"in.c`), { n: 2, torn: 5 });
  await assert.rejects(read('bad.ndjson', `${good}[1]\n${good}`), (error) => error.code === 'BULK_REPORT_MISMATCH' && error.toLine() === `${join(dir, 'bad.ndjson')}:3: not a bulk-submit report: the line is not a JSON object (a report line is a JSON object with "file", "line", "row", "status", …)`);
  await assert.rejects(read('one.ndjson', 'hello\n'), (error) => error.code === 'BULK_REPORT_MISMATCH' && error.line === 1, 'one bad line is no torn end');
  await assert.rejects(read('row.csv', `${REPORT_COLUMNS.join(',')}\nin.csv,3,two,accepted,,,,1,\nin.csv,3,2,accepted,,,,1,\n`), (error) => error.line === 2 && /its "row" is "two", not a row number/.test(error.message));
  await assert.rejects(ReportReader.open(dir), (error) => error.code === 'BULK_REPORT_UNREADABLE' && /directory/.test(error.message));
});

test('FileSink: created 0600, refuses an existing file in create mode and leaves it alone, overwrites and appends on request', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.ndjson');
  const sink = await FileSink.open(path, 'create');
  sink.write('one\n');
  await sink.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(path, 'utf8'), 'one\n');

  await assert.rejects(FileSink.open(path, 'create'), (error) => {
    assert.equal(error.code, 'BULK_REPORT_EXISTS');
    assert.equal(error.file, path);
    assert.match(error.message, /--force/);
    return true;
  });
  assert.equal(readFileSync(path, 'utf8'), 'one\n', 'the existing file is untouched');

  const appended = await FileSink.open(path, 'append');
  appended.write('two\n');
  await appended.close();
  assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');

  const overwritten = await FileSink.open(path, 'overwrite');
  overwritten.write('three\n');
  await overwritten.close();
  assert.equal(readFileSync(path, 'utf8'), 'three\n');

  const rejects = join(dir, 'rej.csv');
  writeFileSync(rejects, 'x');
  await assert.rejects(FileSink.open(rejects, 'create', 'rejects'), (error) => error.code === 'BULK_REPORT_EXISTS' && /rejects file/.test(error.message));
  await assert.rejects(FileSink.open(join(dir, 'missing-dir', 'r.csv'), 'create'), { code: 'BULK_REPORT_UNWRITABLE' });
});

test('FileSink keeps every line across many writes (buffered past its flush size)', async () => {
  const dir = tempDir();
  const path = join(dir, 'big.ndjson');
  const sink = await FileSink.open(path, 'create');
  for (let i = 0; i < 5000; i++) await sink.write(`${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`);
  await sink.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 5000);
  assert.deepEqual(lines.map((l) => JSON.parse(l).i), Array.from({ length: 5000 }, (_, i) => i));
});

test('rejects (CSV) keep the original cells and replace an input’s own _line/_error/_eventId', async () => {
  const dir = tempDir();
  const writer = new RejectsWriter(await FileSink.open(join(dir, 'rej.csv'), 'create'), 'csv', ['_line', 'Id', '_error', 'Name', '_eventId', '_note']);
  writer.write({ file: 'f', line: 7, row: 6, cells: ['2', 'x 1', 'old', 'Ann, B', 'bs-old', 'keep me'] }, 'Id: must match', 'bs-1');
  writer.write({ file: 'f', line: 9, row: 7, cells: ['', ' y ', '', 'say "hi"\nthere', '', ''] }, 'HTTP 503', null);
  writer.write({ file: 'f', line: 12, row: 8, cells: ['', 'z', '', 'N', '', '', 'extra'] }, 'ragged', null);
  await writer.close();
  assert.equal(
    readFileSync(join(dir, 'rej.csv'), 'utf8'),
    '_line,_error,_eventId,Id,Name,_note\n' +
      '7,Id: must match,bs-1,x 1,"Ann, B",keep me\n' +
      '9,HTTP 503,," y ","say ""hi""\nthere",\n' +
      '12,ragged,,z,N,,extra\n',
  );
});

test('rejects (NDJSON) put _line/_error/_eventId first, replace the input’s own, and keep unparsable lines raw', async () => {
  const dir = tempDir();
  const nd = new RejectsWriter(await FileSink.open(join(dir, 'rej.ndjson'), 'create'), 'ndjson', null);
  nd.write({ file: 'f', line: 2, row: 2, value: { a: 1, _line: 9, _error: 'old', _eventId: 'bs-old', _note: 'n' } }, 'bad', 'bs-new');
  nd.write({ file: 'f', line: 3, row: 3, text: '{oops', value: undefined }, 'not valid JSON', null);
  nd.write({ file: 'f', line: 4, row: 4, text: '[1,2]', value: [1, 2] }, 'not an object', null);
  await nd.close();
  const text = readFileSync(join(dir, 'rej.ndjson'), 'utf8');
  const [first, second, third] = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(first), ['_line', '_error', '_eventId', 'a', '_note']);
  assert.deepEqual(first, { _line: 2, _error: 'bad', _eventId: 'bs-new', a: 1, _note: 'n' });
  assert.deepEqual(second, { _line: 3, _error: 'not valid JSON', _eventId: null, _raw: '{oops' });
  assert.deepEqual(third, { _line: 4, _error: 'not an object', _eventId: null, _raw: '[1,2]' });
});

test('Stats counts per status and per input, and groups top errors by rule, without `(got …)`, each with the first row it was seen on', () => {
  const stats = new Stats();
  stats.count('invalid', 'deviceType: must be one of A, B (got "X")', 'a.csv', 3);
  stats.count('invalid', 'deviceType: must be one of A, B (got "Y")', 'a.csv', 4);
  stats.count('invalid', 'deviceType: must be one of A, B (got "a) b")', 'b.csv', 2);
  stats.count('invalid', 'lobId: must match ^x$ (got "1"); campaign: is required', 'b.csv', 5);
  stats.count('invalid', 'lobId: must match ^x$ (got "2"); campaign: is required', 'a.csv', 9);
  stats.count('rejected', 'FAIL_BAD_PARAMS: nope', 'a.csv', 10);
  stats.count('failed', 'HTTP 503', 'a.csv', 11);
  stats.count('accepted', null, 'a.csv', 12);
  stats.count('accepted', null, 'b.csv', 6);
  assert.deepEqual(stats.topErrors(), [
    { error: 'deviceType: must be one of A, B', count: 3, example: { file: 'a.csv', line: 3 } },
    { error: 'lobId: must match ^x$', count: 2, example: { file: 'b.csv', line: 5 } },
    { error: 'campaign: is required', count: 2, example: { file: 'b.csv', line: 5 } },
    { error: 'FAIL_BAD_PARAMS: nope', count: 1, example: { file: 'a.csv', line: 10 } },
    { error: 'HTTP 503', count: 1, example: { file: 'a.csv', line: 11 } },
  ]);
  assert.deepEqual(stats.topErrors(1).map((e) => e.error), ['deviceType: must be one of A, B']);
  assert.equal(stats.topErrors(10).length, 5);
  assert.deepEqual([stats.rows, stats.accepted, stats.invalid, stats.rejected, stats.failed], [9, 2, 5, 1, 1]);
  assert.deepEqual(stats.byFile(), [
    { file: 'a.csv', byStatus: { accepted: 1, rejected: 1, failed: 1, invalid: 3, valid: 0, dropped: 0, duplicate: 0, skipped: 0 } },
    { file: 'b.csv', byStatus: { accepted: 1, rejected: 0, failed: 0, invalid: 2, valid: 0, dropped: 0, duplicate: 0, skipped: 0 } },
  ]);
});

test("a row's error text: its violations joined so that `; ` only separates them, split back exactly, each keyed by property and rule", () => {
  const violations = [
    'note: must be at most 8 characters, 12 given (got "a; b; c; d")',
    'startTs: 2024-03-31 02:30 does not exist in Europe/Paris (the clocks skip it); write the offset (got "2024-03-31 02:30")',
    'x: ends;',
    ' y: starts with a space',
    'attributes[3].value: must be string (got {"k":"p; q"})',
  ];
  const text = violationsText(violations);
  const back = violationsOf(text);
  assert.equal(back.length, violations.length, text);
  // A `; ` within a violation reads the same, with a no-break space after the `;`.
  assert.deepEqual(back.map((v) => v.replaceAll(';\u00a0', '; ')), violations);
  assert.equal(text.split('; ').length, 5, 'the separator is the only `; ` left');
  assert.deepEqual(violationsOf(violationsText(['transform: oops; again'])), ['transform: oops;\u00a0again']);
  assert.deepEqual(back.map(violationKey), [
    'note: must be at most 8 characters',
    'startTs: 2024-03-31 02:30 does not exist in Europe/Paris (the clocks skip it); write the offset',
    'x: ends;',
    ' y: starts with a space',
    'attributes[].value: must be string',
  ]);
  assert.equal(violationKey('transform: must return the record (an object), or null to leave the row out (got undefined)'), 'transform: must return the record (an object), or null to leave the row out');
  assert.equal(violationKey('row has 3 cells but the header has 2'), 'row has 3 cells but the header has 2');
});

test('the top errors count an invalid row once for each rule it breaks, in the summary (Stats) and the report command (ErrorKeys); a rejected row counts once', () => {
  const a = 'deviceType: must be one of A, B (got "X; Y")';
  const b = 'platform: must be one of SMS, WEB (got "ios")';
  const c = 'startTs: must match format "date-time" (got "next; tuesday")';
  const rows = [
    ['invalid', violationsText([a, b, c]), 2],
    ['invalid', violationsText([a, b]), 3],
    ['invalid', violationsText([c, a]), 4],
    ['invalid', violationsText([b]), 5],
    ['rejected', 'FAIL_BAD_PARAMS: ERROR: lobId: is required; campaign: must match ^x$ (got "y")', 6],
    ['rejected', 'FAIL_BAD_PARAMS: ERROR: lobId: is required; campaign: must match ^x$ (got "z")', 7],
    ['accepted', null, 8],
  ];
  const expected = [
    { error: 'deviceType: must be one of A, B', count: 3, example: { file: 'in.csv', line: 2 } },
    { error: 'platform: must be one of SMS, WEB', count: 3, example: { file: 'in.csv', line: 2 } },
    { error: 'startTs: must match format "date-time"', count: 2, example: { file: 'in.csv', line: 2 } },
    { error: 'FAIL_BAD_PARAMS: ERROR: lobId: is required; campaign: must match ^x$', count: 2, example: { file: 'in.csv', line: 6 } },
  ];
  const stats = new Stats();
  for (const [status, error, line] of rows) stats.count(status, error, 'in.csv', line);
  assert.deepEqual(stats.topErrors(), expected);
  assert.equal(stats.invalid, 4, 'rows are still counted once each in their status');

  const keys = new ErrorKeys();
  const counts = new Float64Array(keys.size);
  for (const [status, error] of rows) counts[keys.keyOf(status, error)] += 1;
  assert.equal(keys.keyOf('invalid', violationsText([a.replace('X; Y', 'Z'), b])), keys.keyOf('invalid', violationsText([a, b])), 'rules broken together, whatever the values, are one key: two bytes a row');
  assert.deepEqual(keys.entries(counts), expected.map(({ error, count }) => ({ error, count })));
});

test('the report lock refuses a live holder and takes over a dead one', () => {
  const dir = tempDir();
  const report = join(dir, 'r.ndjson');
  const lock = ReportLock.acquire(report);
  assert.equal(readFileSync(`${report}.lock`, 'utf8'), `${process.pid}\n`);
  assert.throws(() => ReportLock.acquire(report), (error) => error.code === 'BULK_REPORT_LOCKED' && error.message.includes(`pid ${process.pid}`));
  writeFileSync(`${report}.lock`, '999999999\n'); // nobody
  const taken = ReportLock.acquire(report);
  assert.equal(readFileSync(`${report}.lock`, 'utf8'), `${process.pid}\n`);
  taken.release();
  lock.release();
});

test('resume state: a row is skipped only with the same digest; the report\'s extent per file; older reports refused', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.ndjson');
  const lines = [
    line({ row: 1, status: 'accepted', digest: 'aaaaaaaaaaaaaaaa' }),
    line({ row: 2, status: 'failed', digest: 'bbbbbbbbbbbbbbbb' }),
    line({ row: 7, status: 'invalid', digest: null }),
    line({ row: 3, status: 'accepted', digest: '0000000000000000' }),
  ];
  writeFileSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const state = await readResumeState(path, ['in.csv']);
  // The preparing stage checks the input against what the report keeps (the shape both sides share).
  const done = new DoneRows(structuredClone(state.accepted()));
  assert.deepEqual(
    [done.check('in.csv', 1, 'aaaaaaaaaaaaaaaa'), done.check('in.csv', 1, 'aaaaaaaaaaaaaaab'), done.check('in.csv', 1, null)],
    ['same', 'changed', 'changed'],
  );
  assert.equal(done.check('in.csv', 2, 'bbbbbbbbbbbbbbbb'), 'new', 'a failed row is sent again');
  assert.equal(done.check('in.csv', 3, '0000000000000000'), 'same', 'a digest of zeros is a digest');
  assert.equal(done.check('in.csv', 3, '0000000000000001'), 'changed');
  assert.equal(done.check('in.csv', 100_000, 'aaaaaaaaaaaaaaaa'), 'new', 'past the end');
  assert.equal(done.maxRow('in.csv'), 7);
  writeFileSync(path, `${JSON.stringify({ ...line({ status: 'accepted' }), digest: undefined })}\n`);
  await assert.rejects(readResumeState(path, ['in.csv']), (error) => error.code === 'BULK_REPORT_MISMATCH' && /without a digest/.test(error.message));
});

test('request latencies: p50/p95/p99 within 1 % of the exact quantiles, in a few kilobytes; take() gives a second\'s and forgets them', async () => {
  const { Latency } = await import('../../dist/report/latency.js');
  const latency = new Latency();
  assert.equal(latency.quantiles(), undefined, 'nothing before the first request');
  // A long tail: most answers in 2–20 ms, a few very slow ones.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: 50_000 }, () => (random() < 0.98 ? 2 + 18 * random() : 200 + 2000 * random()));
  for (const ms of values) latency.observe(ms);
  const sorted = [...values].sort((a, b) => a - b);
  const exact = (p) => sorted[Math.ceil(p * sorted.length) - 1];
  const got = latency.quantiles();
  for (const [p, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']]) {
    assert.ok(Math.abs(got[key] - exact(p)) <= 0.01 * exact(p) + 0.05, `${key}: ${got[key]} against ${exact(p).toFixed(2)}`);
  }
  assert.deepEqual(latency.take(), got);
  assert.equal(latency.quantiles(), undefined, 'take() forgets what it gave');
  latency.observe(0.001);
  latency.observe(60 * 60_000);
  const ends = latency.take();
  assert.equal(ends.p50, 0, 'below the first bucket counts as the first');
  assert.ok(Math.abs(ends.p99 - 600_000) <= 6000, `past the last bucket counts as the last (ten minutes): ${ends.p99}`);
});
