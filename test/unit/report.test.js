import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSink, RejectsWriter, ReportLock, ReportWriter, Stats, csvLine } from '../../dist/report/index.js';
import { tempDir } from '../helpers/cli.js';

test('csvLine quotes what needs quoting', () => {
  assert.equal(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', ' pad', null, 3]), 'a,"b,c","say ""hi""","two\nlines"," pad",,3\n');
});

test('report lines as NDJSON and as CSV, files created 0600, existing files refused', async () => {
  const dir = tempDir();
  const line = { file: 'in.csv', line: 3, row: 2, status: 'rejected', eventId: 'e-1', httpStatus: 200, attempts: 1, error: 'FAIL_X: "quoted", comma' };
  const ndjson = new ReportWriter(await FileSink.open(join(dir, 'r.ndjson'), 'create'), { writeHeader: true });
  ndjson.write(line);
  await ndjson.close();
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'r.ndjson'), 'utf8')), line);
  assert.equal(statSync(join(dir, 'r.ndjson')).mode & 0o777, 0o600);
  const csv = new ReportWriter(await FileSink.open(join(dir, 'r.csv'), 'create'), { writeHeader: true });
  csv.write(line);
  await csv.close();
  assert.equal(readFileSync(join(dir, 'r.csv'), 'utf8'), 'file,line,row,status,eventId,httpStatus,attempts,error\nin.csv,3,2,rejected,e-1,200,1,"FAIL_X: ""quoted"", comma"\n');
  await assert.rejects(FileSink.open(join(dir, 'r.csv'), 'create'), { code: 'BULK_REPORT_EXISTS' });
  await assert.rejects(FileSink.open(join(dir, 'missing-dir', 'r.csv'), 'create'), { code: 'BULK_REPORT_UNWRITABLE' });
});

test('rejects keep the original cells and replace an input’s own _line/_error/_eventId', async () => {
  const dir = tempDir();
  const writer = new RejectsWriter(await FileSink.open(join(dir, 'rej.csv'), 'create'), 'csv', ['_line', 'Id', '_error', 'Name']);
  writer.write({ file: 'f', line: 7, row: 6, cells: ['2', 'x 1', 'old', 'Ann, B'] }, 'Id: must match', 'bs-1');
  await writer.close();
  assert.equal(readFileSync(join(dir, 'rej.csv'), 'utf8'), '_line,_error,_eventId,Id,Name\n7,Id: must match,bs-1,x 1,"Ann, B"\n');
  const nd = new RejectsWriter(await FileSink.open(join(dir, 'rej.ndjson'), 'create'), 'ndjson', null);
  nd.write({ file: 'f', line: 2, row: 2, value: { a: 1, _line: 9 } }, 'bad', null);
  nd.write({ file: 'f', line: 3, row: 3, text: '{oops' }, 'not valid JSON', null);
  await nd.close();
  const [first, second] = readFileSync(join(dir, 'rej.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(first, { _line: 2, _error: 'bad', _eventId: null, a: 1 });
  assert.equal(second._raw, '{oops');
});

test('Stats groups top errors by rule, not by value', () => {
  const stats = new Stats();
  stats.count('invalid', 'deviceType: must be one of A, B (got "X")');
  stats.count('invalid', 'deviceType: must be one of A, B (got "Y")');
  stats.count('rejected', 'FAIL_BAD_PARAMS: nope');
  stats.count('accepted', null);
  assert.deepEqual(stats.topErrors(), [
    { error: 'deviceType: must be one of A, B', count: 2 },
    { error: 'FAIL_BAD_PARAMS: nope', count: 1 },
  ]);
  assert.equal(stats.rows, 4);
});

test('the report lock refuses a live holder and takes over a dead one', () => {
  const dir = tempDir();
  const report = join(dir, 'r.ndjson');
  const lock = ReportLock.acquire(report);
  writeFileSync(`${report}.lock`, `${process.ppid}\n`); // a live process that is not us
  assert.throws(() => ReportLock.acquire(report), (error) => error.code === 'BULK_REPORT_LOCKED' && error.message.includes(`pid ${process.ppid}`));
  writeFileSync(`${report}.lock`, '999999999\n'); // nobody
  const taken = ReportLock.acquire(report);
  taken.release();
  lock.release();
});
