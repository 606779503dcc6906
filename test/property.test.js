// Property tests (fast-check): tables written by csv-stringify read back cell for cell; random bytes
// never crash the CLI.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { openSource } from '../dist/input/index.js';
import { runCli, tempDir } from './helpers/cli.js';

const cell = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\n', '\r\n', ';', ' ', '\t', 'é', '日', '😀'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 }).filter((s) => !s.includes('\uFEFF'));
const table = fc.integer({ min: 2, max: 5 }).chain((width) =>
  fc.record({
    header: fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _]{0,10}$/).map((s) => s.trim() || 'x'), { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 20 }),
  }),
);

async function readBack(text, options) {
  const source = await openSource('-', { format: 'csv', stdin: Readable.from([Buffer.from(text)]), ...options });
  const rows = [];
  for await (const row of source.rows) rows.push(row);
  return { header: source.header, rows };
}

test('any table csv-stringify writes reads back cell for cell, with its line numbers', async () => {
  await fc.assert(
    fc.asyncProperty(table, async ({ header, rows }) => {
      // Quote cells with edge whitespace too, since unquoted edge whitespace is trimmed by design.
      const text = stringify([header, ...rows], { quoted_match: /^\s|\s$/ });
      const read = await readBack(text, { delimiter: ',' });
      assert.deepEqual(read.header, header);
      const expected = rows.filter((r) => r.some((c) => c !== '') || r.length > 1);
      assert.deepEqual(read.rows.map((r) => r.cells), expected);
      for (const row of read.rows) assert.equal(row.error, undefined);
      // Each row starts on the line after the previous row's last line.
      let line = 2;
      read.rows.forEach((row, i) => {
        assert.equal(row.line, line);
        line += 1 + expected[i].join('').split(/\r\n|\n|\r/).length - 1;
      });
    }),
    { numRuns: 150 },
  );
});

test('the delimiter is detected from a plain header, whichever of , ; tab | it is', async () => {
  await fc.assert(
    fc.asyncProperty(table, fc.constantFrom(',', ';', '\t', '|'), async ({ header, rows }, delimiter) => {
      const text = stringify([header, ...rows], { delimiter, quoted_match: /^\s|\s$/ });
      const read = await readBack(text, {});
      assert.deepEqual(read.header, header);
      assert.equal(read.rows.length, rows.length);
    }),
    { numRuns: 100 },
  );
});

test('random bytes as input never crash the process', async () => {
  const dir = tempDir();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom('csv', 'ndjson'), async (bytes, format) => {
      const file = join(dir, `random.${format}`);
      writeFileSync(file, bytes);
      const result = await runCli(['validate', file, '--force', '--report', join(dir, 'r.ndjson')], { cwd: dir, timeoutMs: 20_000 });
      assert.ok([0, 1, 2].includes(result.code), `exit ${result.code}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    }),
    { numRuns: 24 },
  );
});
