// --resume checks every row against the report before skipping it: a changed input stops the run before
// the first row that differs is sent, and rows appended since are sent as new.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readNdjson, readStore, runCli, startServe, tempDir } from '../helpers/cli.js';

const HEADER = 'External Conversation ID,Platform';
const row = (i, platform = 'WEB') => `r-${i},${platform}`;
const csv = (rows) => `${[HEADER, ...rows].join('\n')}\n`;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i));

describe('--resume checks the input against the report', { concurrency: 1 }, () => {
  let server;
  let store;
  before(async () => {
    store = join(tempDir(), 'store.ndjson');
    server = await startServe(['--store', store]);
  });
  after(() => server.stop());

  /** A folder whose in.csv (100 rows, or `rows`) was submitted in full; `args` go to that first run. */
  async function submitted(rows = range(1, 100), args = []) {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.csv'), csv(rows));
    const first = await runCli(['submit', '-e', server.url, ...args, 'in.csv'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    return cwd;
  }
  const resume = (cwd, args = [], options = {}) => runCli(['submit', '-e', server.url, '--resume', ...args, 'in.csv'], { cwd, ...options });
  const stored = () => readStore(store).length;

  test('rows inserted in the middle: stops at the first moved row, exit 2, nothing stored twice or lost silently', async () => {
    const cwd = await submitted();
    const before = stored();
    writeFileSync(join(cwd, 'in.csv'), csv([...range(1, 9), row('new-1'), row('new-2'), row('new-3'), ...range(10, 100)]));
    const result = await resume(cwd);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /aborted: in\.csv:11: row 10 is not the row the report has as accepted \(its digest is [0-9a-f]{16}\): the input changed since the report was written/);
    assert.match(result.stderr, /skipped\s+9 /);
    assert.match(result.stderr, /requests\s+0\n/);
    assert.equal(stored(), before, 'nothing sent');
  });

  test('one edited cell: stops at that row', async () => {
    const cwd = await submitted();
    const rows = range(1, 100);
    rows[49] = row(50, 'SMS');
    writeFileSync(join(cwd, 'in.csv'), csv(rows));
    const result = await resume(cwd);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /in\.csv:51: row 50 is not the row the report has as accepted/);
    assert.match(result.stderr, /skipped\s+49 /);
  });

  test('a regenerated (re-sorted) file: stops at its first row', async () => {
    const cwd = await submitted();
    writeFileSync(join(cwd, 'in.csv'), csv(range(1, 100).reverse()));
    const result = await resume(cwd);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /in\.csv:2: row 1 is not the row the report has as accepted/);
  });

  test('a row now invalid where the report has it accepted is a change too', async () => {
    const cwd = await submitted();
    const rows = range(1, 100);
    rows[4] = 'r 5,WEB';
    writeFileSync(join(cwd, 'in.csv'), csv(rows));
    const result = await resume(cwd);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /in\.csv:6: row 5 is not the row the report has as accepted \(it is now invalid \(externalConversationId: must match/);
  });

  test('rows appended since (a nightly file that grows): only the new rows are sent, exit 0', async () => {
    const cwd = await submitted();
    const before = stored();
    writeFileSync(join(cwd, 'in.csv'), csv(range(1, 105)));
    const result = await resume(cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /accepted\s+5\n/);
    assert.match(result.stderr, /skipped\s+100 /);
    assert.equal(stored(), before + 5);
    const report = readNdjson(join(cwd, 'in.csv.report.ndjson'));
    assert.equal(report.length, 105);
    assert.ok(report.every((l) => /^[0-9a-f]{16}$/.test(l.digest)), 'every sent row has its digest');
  });

  test('a file shorter than the report: a change, exit 2', async () => {
    const cwd = await submitted();
    writeFileSync(join(cwd, 'in.csv'), csv(range(1, 97)));
    const result = await resume(cwd);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /aborted: in\.csv: the input ends after row 97, but the report has rows up to 100: the input changed/);
    assert.match(result.stderr, /skipped\s+97 /);
  });

  test('exit 3 when the run had sent rows before it found the change', async () => {
    const cwd = await submitted(range(1, 100), ['--batch-size', '1']);
    // The first run's rows 1–3 failed (as after an outage): the resumed run re-sends them first.
    const reportFile = join(cwd, 'in.csv.report.ndjson');
    const lines = readNdjson(reportFile).map((l) => (l.row <= 3 ? { ...l, status: 'failed', error: 'HTTP 503' } : l));
    writeFileSync(reportFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const rows = range(1, 100);
    rows[59] = row(60, 'SMS');
    writeFileSync(join(cwd, 'in.csv'), csv(rows));
    const result = await resume(cwd, ['--batch-size', '1', '--concurrency', '1']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /in\.csv:61: row 60 is not the row the report has as accepted/);
    assert.match(result.stderr, /requests\s+[1-3]\n/);
  });

  test('--no-generate-event-id: the service makes the ids, the digest still tells a changed row', async () => {
    const cwd = await submitted(range(1, 20), ['--no-generate-event-id']);
    const report = readNdjson(join(cwd, 'in.csv.report.ndjson'));
    assert.ok(report.every((l) => l.status === 'accepted' && !l.eventId.startsWith('bs-')), 'ids from the service');
    const same = await resume(cwd, ['--no-generate-event-id']);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /skipped\s+20 /);
    const rows = range(1, 20);
    rows[6] = row(7, 'SMS');
    writeFileSync(join(cwd, 'in.csv'), csv(rows));
    const changed = await resume(cwd, ['--no-generate-event-id']);
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stderr, /in\.csv:8: row 7 is not the row the report has as accepted/);
  });

  test('stdin: the same checks', async () => {
    const cwd = tempDir();
    const args = (extra = []) => ['submit', '-e', server.url, '--format', 'csv', '--report', 'r.ndjson', ...extra, '-'];
    const first = await runCli(args(), { cwd, input: csv(range(1, 30)) });
    assert.equal(first.code, 0, first.stderr);
    const grown = await runCli(args(['--resume']), { cwd, input: csv(range(1, 32)) });
    assert.equal(grown.code, 0, grown.stderr);
    assert.match(grown.stderr, /accepted\s+2\n/);
    const shorter = await runCli(args(['--resume']), { cwd, input: csv(range(1, 31).slice(0, 31)) });
    assert.equal(shorter.code, 2, shorter.stderr);
    assert.match(shorter.stderr, /aborted: -: stdin ends after row 31, but the report has rows up to 32/);
    const edited = range(1, 32);
    edited[0] = row(1, 'SMS');
    const changed = await runCli(args(['--resume']), { cwd, input: csv(edited) });
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stderr, /aborted: -:2: row 1 is not the row the report has as accepted/);
    assert.equal(readFileSync(join(cwd, 'r.ndjson'), 'utf8').trim().split('\n').length, 32, 'the report still holds each row once');
  });
});
