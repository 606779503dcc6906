// The CSV reader on a live pipe, and the pieces that carry rows and errors across threads.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { BulkError, fromTransferable, toTransferable } from '../../dist/errors.js';
import { openSource } from '../../dist/input/index.js';
import { QuoteTracker } from '../../dist/input/nudger.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function readAll(parts, pauseMs) {
  const stdin = new PassThrough();
  const writer = (async () => {
    for (const part of parts) {
      stdin.write(part);
      await sleep(pauseMs);
    }
    stdin.end();
  })();
  const source = await openSource('-', { format: 'csv', stdin });
  const rows = [];
  for await (const row of source.rows) rows.push({ ...row, at: Date.now() });
  await writer;
  return rows;
}

test('CSV on a live pipe: a row comes out when its line ends, not when the next line comes', async () => {
  const stdin = new PassThrough();
  stdin.write('id,name\r\n1,one\r\n');
  const source = await openSource('-', { format: 'csv', stdin });
  const iterator = source.rows[Symbol.asyncIterator]();
  // The pipe stays open: if the row waited for the next line, this would time out (a generous bound, not a bet on speed).
  let timer;
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, 60_000, 'timeout')));
  const first = await Promise.race([iterator.next(), bound]).finally(() => clearTimeout(timer));
  assert.notEqual(first, 'timeout', 'the first row came while the pipe stayed open');
  assert.deepEqual(first.value.cells, ['1', 'one']);
  assert.equal(first.value.line, 2);
  stdin.end('2,two\r\n');
  const second = await iterator.next();
  assert.equal(second.value.line, 3);
  assert.equal((await iterator.next()).done, true);
});

test('CSV on a live pipe: pauses anywhere (inside quotes, after blank lines, CRLF) change no cell, line or byte offset', async () => {
  const parts = ['a,b\r\n1,2\r\n', '3,4\r\n\r\n5,6\n', '"x\ny",7\n', '"8\n', '",9\n', '\xff,1\n'.replace('\xff', 'é'), '10,11\n'];
  const bytes = parts.map((p) => Buffer.from(p));
  bytes[5] = Buffer.from([0xff, 0x2c, 0x31, 0x0a]); // an invalid UTF-8 byte: its offset must not shift
  const trickled = await readAll(bytes, 60);
  const whole = await readAll([Buffer.concat(bytes)], 0);
  const strip = (rows) => rows.map(({ at: _at, ...row }) => row);
  assert.deepEqual(strip(trickled), strip(whole));
  assert.deepEqual(
    whole.map((r) => [r.line, r.cells.join('|')]),
    [[2, '1|2'], [3, '3|4'], [5, '5|6'], [6, 'x\ny|7'], [8, '8\n|9'], [10, '\ufffd|1'], [11, '10|11']],
  );
  assert.match(whole[5].error, /invalid UTF-8 at byte 36/);
});

test('a ragged CSV row counts its cells in words that agree: "1 cell", "3 cells"', async () => {
  const stdin = new PassThrough();
  stdin.end('a,b\nonly\n1,2,3\n1,2\n');
  const source = await openSource('-', { format: 'csv', stdin });
  const errors = [];
  for await (const row of source.rows) errors.push(row.error);
  assert.deepEqual(errors, ['row has 1 cell but the header has 2', 'row has 3 cells but the header has 2', undefined]);
});

test('a typed error crosses a thread boundary with its code, file, line and name', () => {
  const original = new BulkError('BULK_HEADER_UNKNOWN', 'unknown column "Foo"', { file: 'in.csv', line: 1 });
  const rebuilt = fromTransferable(structuredClone(toTransferable(original)));
  assert.ok(rebuilt instanceof BulkError);
  assert.equal(rebuilt.code, 'BULK_HEADER_UNKNOWN');
  assert.equal(rebuilt.name, 'BulkError');
  assert.equal(rebuilt.toLine(), 'in.csv:1: unknown column "Foo"');
  assert.equal(rebuilt.stack, original.stack);
  const bug = fromTransferable(structuredClone(toTransferable(Object.assign(new TypeError('x is undefined'), { code: 'ERR_X' }))));
  assert.ok(!(bug instanceof BulkError));
  assert.equal(bug.name, 'TypeError');
  assert.equal(bug.code, 'ERR_X');
});

test('the quote tracker knows a line break inside a quoted cell from one that ends a record, as csv-parse reads them', () => {
  const state = (text, delimiter = ',', trim = true) => {
    const tracker = new QuoteTracker(delimiter, trim);
    for (const part of text.split('|')) tracker.update(Buffer.from(part)); // chunk boundaries anywhere
    return tracker.inQuotes;
  };
  assert.equal(state('a,b\n'), false);
  assert.equal(state('a,"b\n'), true, 'a quoted cell still open');
  assert.equal(state('a,"b\nc",d\n'), false, 'closed before the line break');
  assert.equal(state('a,"say ""hi""\n'), true, 'doubled quotes stay inside the cell');
  assert.equal(state('a,"say "|"hi"|"\n'), true, 'also across chunks');
  assert.equal(state('a,"x"|"\n'), true, '"" split across chunks is still one quote inside');
  assert.equal(state('a,"x"\n'), false);
  assert.equal(state('a,5" screen\n'), false, 'a quote inside an unquoted cell is a character (relax_quotes)');
  assert.equal(state('a,  "x\n'), true, 'blanks before a quote are trimmed: it opens the cell');
  assert.equal(state('a,  "x\n', ',', false), false, 'without trim the quote is a character');
  assert.equal(state('a;"x\n', ';'), true, 'the delimiter in use');
  assert.equal(state('a,"x\n', ';'), false, 'a comma is not a cell boundary with ;');
});

test('a source closed part-way ends its rows at once, quietly, whatever the file: plain or .gz, CSV or NDJSON', async (t) => {
  // A run that stops early (the quota, --max-errors, a signal) closes its inputs while their readers may
  // still be waiting for rows. A .gz input closed at its file stream alone once left the reader waiting
  // for ever (the decompressor after it never ended), and the CLI then exited 13, saying nothing.
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { gzipSync } = await import('node:zlib');
  const dir = mkdtempSync(join(tmpdir(), 'close-'));
  let seed = 7;
  const word = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31).toString(36);
  const rows = Array.from({ length: 12_000 }, (_, i) => ({ id: `c-${i}`, text: word() + word() + word() }));
  const csv = `id,text\n${rows.map((r) => `${r.id},${r.text}`).join('\n')}\n`;
  const ndjson = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const files = { 'rows.csv': csv, 'rows.ndjson': ndjson, 'rows.csv.gz': gzipSync(csv), 'rows.ndjson.gz': gzipSync(ndjson) };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  for (const name of Object.keys(files)) {
    for (const closeAt of [1, 2000, 5000, 11_000]) {
      await t.test(`${name}, closed after ${closeAt} rows`, async () => {
        const source = await openSource(join(dir, name));
        const iterator = source.rows[Symbol.asyncIterator]();
        for (let i = 0; i < closeAt; i++) assert.equal((await iterator.next()).done, false);
        source.close();
        let timer;
        const stuck = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the rows never ended after close()')), 20_000)));
        try {
          for (;;) {
            const next = await Promise.race([iterator.next(), stuck]);
            if (next.done) break;
            assert.equal(next.value.error, undefined, 'closing is no error of the file');
          }
        } finally {
          clearTimeout(timer);
        }
      });
    }
  }
});
