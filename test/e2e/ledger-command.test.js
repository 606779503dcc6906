// `bulk-submit ledger`: import a report written by a real submit against serve, then stats; a file that
// is not a ledger refused with exit 2 and left untouched.
import assert from 'node:assert/strict';
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SAMPLES, readNdjson, runCli, tempDir, withServe } from '../helpers/cli.js';

const INPUT = 'samples/conversations.csv';

test('ledger import records the accepted ids of a real report (day = the report\'s last change); stats --json says what it holds', { timeout: 120_000 }, async () => {
  const cwd = tempDir();
  symlinkSync(SAMPLES, join(cwd, 'samples'));
  await withServe([], async (server) => {
    const run = await runCli(['submit', '-e', server.url, '--report', 'night.report.ndjson', INPUT], { cwd });
    assert.equal(run.code, 0, run.stderr);
  });
  const accepted = readNdjson(join(cwd, 'night.report.ndjson')).filter((l) => l.status === 'accepted');
  assert.ok(accepted.length > 0);
  const day = statSync(join(cwd, 'night.report.ndjson')).mtime.toISOString().slice(0, 10);

  const imported = await runCli(['ledger', 'import', '--ledger', 'ids.ledger', 'night.report.ndjson'], { cwd });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`${accepted.length} accepted ids, ${accepted.length} new \\(recorded as accepted on ${day}`));
  const again = await runCli(['ledger', 'import', '--json', '--ledger', 'ids.ledger', 'night.report.ndjson'], { cwd });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), { ledger: 'ids.ledger', reports: [{ report: 'night.report.ndjson', day, accepted: accepted.length, added: 0 }], ids: accepted.length });

  const stats = await runCli(['ledger', 'stats', '--ledger', 'ids.ledger', '--json'], { cwd });
  assert.equal(stats.code, 0, stats.stderr);
  const json = JSON.parse(stats.stdout);
  assert.equal(json.ids, accepted.length);
  assert.deepEqual(json.requests, []);
  assert.deepEqual(json.quota, []);
  const text = await runCli(['ledger', 'stats', '--ledger', 'ids.ledger'], { cwd });
  assert.match(text.stdout, new RegExp(`ids.ledger: ${accepted.length} accepted ids held`));

  // The ids and their first sender, as the ledger holds them.
  const { Ledger } = await import('../../dist/ledger/index.js');
  const ledger = await Ledger.open(join(cwd, 'ids.ledger'), { readonly: true });
  const days = ledger.acceptedDays(accepted.map((l) => l.eventId));
  ledger.close();
  assert.equal(days.size, accepted.length);
  assert.ok([...days.values()].every((d) => d === day));
  // Imported twice, each id and its sender are kept once.
  const { openSql } = await import('../../dist/ledger/sql.js');
  const db = await openSql(join(cwd, 'ids.ledger'), { readonly: true, mustExist: true, timeout: 10_000 });
  assert.deepEqual(db.prepare('SELECT count(*), count(DISTINCT event_id) FROM sent').get(), [accepted.length, accepted.length]);
  db.close();
});

test('a CSV given as the ledger is refused, exit 2, in one line, and left untouched; a missing ledger for stats too', { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  const csv = join(cwd, 'ids.csv');
  writeFileSync(csv, 'eventId,day\nabc,2025-06-30\n');
  writeFileSync(join(cwd, 'r.ndjson'), `${JSON.stringify({ file: 'a.csv', line: 2, row: 1, status: 'accepted', eventId: 'x', digest: null, httpStatus: 200, attempts: 1, error: null })}\n`);
  const before = readFileSync(csv);
  for (const args of [['import', '--ledger', 'ids.csv', 'r.ndjson'], ['stats', '--ledger', 'ids.csv']]) {
    const run = await runCli(['ledger', ...args], { cwd });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr, `bulk-submit: error: ids.csv: not a usable ledger: it is not a SQLite database (its first bytes are not "SQLite format 3")\n`);
    assert.deepEqual(readFileSync(csv), before);
  }
  const missing = await runCli(['ledger', 'stats', '--ledger', 'none.ledger'], { cwd });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /none\.ledger: not a usable ledger: no such file/);
  // better-sqlite3 (native) is loaded by a ledger command only: the CLI's bundle does not import it.
  assert.doesNotMatch(readFileSync(new URL('../../dist/cli.js', import.meta.url), 'utf8'), /better-sqlite3/);
  const noFlag = await runCli(['ledger', 'stats'], { cwd });
  assert.equal(noFlag.code, 2);
  assert.match(noFlag.stderr, /give --ledger FILE/);
});
