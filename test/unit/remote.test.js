// Remote inputs, piece by piece: their names as outputs show them, and a download's body as the readers
// get it when it breaks off midway (end to end: test/e2e/remote.test.js).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openCsv } from '../../dist/input/csv.js';
import { downloadInput } from '../../dist/input/download.js';
import { openNdjson } from '../../dist/input/ndjson.js';
import { defaultReportPath } from '../../dist/report/name.js';
import { inputName, isRemote, remoteFileName, remotePath, s3Location } from '../../dist/util/remote.js';

test('inputName masks credentials in a URL and nothing else', () => {
  assert.equal(inputName('https://user:pa55@files.example.com/a/b.csv'), 'https://***@files.example.com/a/b.csv');
  assert.equal(inputName('https://token@files.example.com/b.csv'), 'https://***@files.example.com/b.csv');
  assert.equal(
    inputName('https://b.s3.amazonaws.com/k.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260601&X-Amz-Signature=abc123&versionId=7'),
    'https://b.s3.amazonaws.com/k.csv?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Signature=***&versionId=7',
  );
  assert.equal(inputName('http://h/x.csv?sig=s&token=t&page=2#top'), 'http://h/x.csv?sig=***&token=***&page=2#top');
  assert.equal(inputName('HTTPS://H/x.csv?Signature=s'), 'HTTPS://H/x.csv?Signature=***', 'any case');
  for (const plain of ['data/in.csv', '-', 's3://bucket/key.csv', 'https://h/x.csv', 'https://h/x.csv?flag']) assert.equal(inputName(plain), plain);
});

test('a presigned URL signed anew keeps its name (so --resume takes it)', () => {
  const signed = (date, sig) => `https://b.s3.amazonaws.com/k.csv?X-Amz-Date=${date}&X-Amz-Expires=3600&X-Amz-Signature=${sig}`;
  assert.equal(inputName(signed('20260601T000000Z', 'aaa')), inputName(signed('20260602T120000Z', 'bbb')));
});

test('remote names: which are remote, their path, their file name, the default report name', () => {
  for (const name of ['http://h/x.csv', 'https://h/x.csv', 'S3://b/k.csv']) assert.equal(isRemote(name), true, name);
  for (const name of ['x.csv', '-', 'ftp://h/x.csv', 'https:x.csv', './https://x.csv']) assert.equal(isRemote(name), false, name);
  assert.deepEqual(s3Location('s3://bucket/dir/key.csv.gz'), { bucket: 'bucket', key: 'dir/key.csv.gz' });
  assert.equal(s3Location('s3://bucket'), undefined);
  assert.equal(remotePath('https://u:p@h:8443/a/day.csv.gz?x=1#f'), '/a/day.csv.gz');
  assert.equal(remotePath('s3://b/a/day.ndjson'), 'a/day.ndjson');
  assert.equal(remoteFileName('https://h/exports/day%20one.csv?X-Amz-Signature=s'), 'day one.csv');
  assert.equal(remoteFileName('https://h/exports/a%2Fb.csv'), 'b.csv', 'an encoded slash makes no folder');
  assert.equal(remoteFileName('https://user:pw@files.example.com/'), 'files.example.com');
  assert.equal(defaultReportPath(['https://h/exports/day.csv.gz?sig=s'], 'submit'), 'day.csv.gz.report.ndjson');
  assert.equal(defaultReportPath(['s3://b/2026/06/day.ndjson'], 'validate'), 'day.ndjson.validation.ndjson');
});

/**
 * A download whose body is `parts` (written one by one), then ends or (`cut`) breaks off with an error;
 * with `cutAfterFirstRow`, only once the reader has given a row (an event to wait for, not a time).
 */
async function download(format, parts, { cut = false, gzip = false, size, cutAfterFirstRow = false } = {}) {
  const body = new PassThrough();
  let released = false;
  let sawRow;
  const firstRow = new Promise((resolve) => (sawRow = resolve));
  const input = await downloadInput({ file: 'https://h/in', format, body, size, gzipByName: gzip, encoding: undefined, hold: 1024, release: () => (released = true) });
  const feeding = (async () => {
    for (const part of parts) {
      body.write(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (cut && cutAfterFirstRow) await firstRow;
    if (cut) body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    else body.end();
  })();
  const source = await (format === 'csv' ? openCsv : openNdjson)(input);
  const rows = [];
  for await (const row of source.rows) {
    rows.push(row);
    sawRow();
  }
  await feeding;
  return { rows, released };
}

test('a CSV download cut midway: the whole rows, then one row saying where it was cut; a half row is never read', async () => {
  // Cut inside row 3: "c,3" would be a valid (shorter) row if it were read.
  const { rows, released } = await download('csv', ['id,n\na,1\nb,', '2\nc,3'], { cut: true });
  assert.deepEqual(rows.filter((r) => r.cut === undefined).map((r) => r.cells), [['a', '1'], ['b', '2']]);
  const last = rows.at(-1);
  assert.equal(last.row, 3);
  assert.equal(last.line, 4);
  assert.match(last.cut, /^https:\/\/h\/in: the input was cut at row 3: the download broke off \(other side closed \(UND_ERR_SOCKET\)\) after 2 whole rows/);
  assert.equal(released, true, 'the connection released');
});

test('a CSV cut right after a line break inside a quoted cell: the open quote is no error of the file, the row is not read', async () => {
  const { rows } = await download('csv', ['id,note\na,"one\n'], { cut: true });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].row, 1);
  assert.equal(rows[0].error, undefined);
  assert.match(rows[0].cut, /cut at row 1/);
});

test('an NDJSON download cut midway, and one that ends short of its Content-Length', async () => {
  const cut = await download('ndjson', ['{"a":1}\n{"a":2}\n{"a":3'], { cut: true });
  assert.deepEqual(cut.rows.map((r) => r.value ?? r.cut.slice(0, 31)), [{ a: 1 }, { a: 2 }, 'https://h/in: the input was cut']);
  const short = await download('ndjson', ['{"a":1}\n{"a":2}\n'], { size: 100 });
  assert.match(short.rows.at(-1).cut, /cut at row 3: the download broke off \(the connection closed after 16 of 100 bytes\)/);
  const whole = await download('ndjson', ['{"a":1}\n{"a":2}'], { size: 15 });
  assert.deepEqual(whole.rows.map((r) => r.value), [{ a: 1 }, { a: 2 }], 'a last line without a line break is whole at the end');
});

test('a gzip download cut midway: the rows decompressed before the cut, none after', async () => {
  const text = `id,n\n${Array.from({ length: 2000 }, (_, i) => `r${i},${i}`).join('\n')}\n`;
  const packed = gzipSync(text);
  const { rows } = await download('csv', [packed.subarray(0, packed.length / 2)], { cut: true, gzip: true, cutAfterFirstRow: true });
  const read = rows.filter((r) => r.cut === undefined);
  assert.ok(read.length > 0 && read.length < 2000, `${read.length} rows`);
  read.forEach((r, i) => assert.deepEqual(r.cells, [`r${i}`, String(i)]));
  assert.equal(rows.at(-1).row, read.length + 1);
});
