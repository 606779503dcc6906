// The ledger (issue 28): a SQLite file of accepted ids and requests per day, refused when it is not one
// (the file untouched), shared by processes writing at once, and whole after a kill -9.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ledger, SCHEMA_VERSION, quotaLeft, utcDay } from '../../dist/ledger/index.js';
import { LEDGER_UNSUPPORTED, ROOT, tempDir } from '../helpers/cli.js';

const WRITER = join(ROOT, 'test', 'helpers', 'ledger-writer.js');
const refused = (why) => (error) => error.code === 'BULK_LEDGER_INVALID' && why.test(error.message) && !error.message.includes('\n');

/** A SQLite file written by better-sqlite3 directly, as another program would. */
async function sqliteFile(file, sql) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.exec(sql);
  db.close();
}

/** Opening `file` is refused with `why`, and its bytes (and its folder) are as they were. */
async function assertRefused(file, why) {
  const before = readFileSync(file);
  await assert.rejects(Ledger.open(file), refused(why));
  assert.deepEqual(readFileSync(file), before, `${file} is untouched`);
}

test('a new ledger: ids recorded once (the first sender kept), looked up in chunks, requests counted per host and day', { skip: LEDGER_UNSUPPORTED }, async () => {
  const file = join(tempDir(), 'new.ledger');
  const ledger = await Ledger.open(file);
  const ids = Array.from({ length: 1234 }, (_, i) => `id-${i}`);
  assert.equal(ledger.recordAccepted(ids.map((eventId, i) => ({ eventId, day: '2025-06-29', source: `a.csv:${i + 1}` }))), 1234);
  assert.equal(ledger.recordAccepted([{ eventId: 'id-0', day: '2025-06-30', source: 'b.csv:9' }, { eventId: 'new', day: '2025-06-30', source: 'b.csv:10' }]), 1);
  const days = ledger.acceptedDays([...ids.slice(0, 1001), 'missing', 'new']);
  assert.equal(days.size, 1002);
  assert.equal(days.get('id-0'), '2025-06-29', 'the first day is kept');
  assert.equal(days.get('new'), '2025-06-30');
  assert.equal(days.has('missing'), false);
  assert.equal(ledger.acceptedDays([]).size, 0);
  const today = utcDay();
  ledger.countRequests('api.sandbox.asapp.com', today);
  ledger.countRequests('api.sandbox.asapp.com', today, 59);
  ledger.countRequests('api.asapp.com', '2020-01-01', 5);
  assert.equal(ledger.requestsOn('api.sandbox.asapp.com', today), 60);
  assert.equal(ledger.requestsOn('other', today), 0);
  const stats = ledger.stats(today);
  assert.deepEqual(stats, { ids: 1235, requests: [{ host: 'api.sandbox.asapp.com', day: today, count: 60 }] }, 'a day older than a week is left out');
  assert.deepEqual(quotaLeft(stats, today), [{ host: 'api.sandbox.asapp.com', quota: 10_000, spent: 60, left: 9_940 }]);
  ledger.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.match(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'accepted'").pluck().get(), /WITHOUT ROWID/);
  db.close();
  const readonly = await Ledger.open(file, { readonly: true });
  assert.equal(readonly.stats(today).ids, 1235);
  assert.throws(() => readonly.countRequests('h', today), /read-only/);
  readonly.close();
});

test('a file that is not a ledger is refused in one line, and left untouched', { skip: LEDGER_UNSUPPORTED }, async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ids.csv'), 'eventId,day\nabc,2025-06-30\n');
  await assertRefused(join(dir, 'ids.csv'), /not a SQLite database/);
  writeFileSync(join(dir, 'short'), 'SQLite');
  await assertRefused(join(dir, 'short'), /not a SQLite database/);
  await sqliteFile(join(dir, 'other.db'), 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
  await assertRefused(join(dir, 'other.db'), /SQLite database, but not a bulk-submit ledger/);
  const newer = join(dir, 'newer.ledger');
  (await Ledger.open(newer)).close();
  await sqliteFile(newer, `PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
  await assertRefused(newer, new RegExp(`newer bulk-submit \\(schema version ${SCHEMA_VERSION + 1}`));
  await assert.rejects(Ledger.open(dir), refused(/is a directory/));
  await assert.rejects(Ledger.open(join(dir, 'no', 'such', 'x.ledger')), refused(/folder .* does not exist/));
  await assert.rejects(Ledger.open(join(dir, 'missing.ledger'), { readonly: true }), refused(/no such file/));
  if (process.getuid?.() !== 0) {
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o500);
    await assert.rejects(Ledger.open(join(dir, 'locked', 'x.ledger')), refused(/cannot be written/));
  }
  // An empty file holds nothing: it becomes a ledger.
  writeFileSync(join(dir, 'empty.ledger'), '');
  (await Ledger.open(join(dir, 'empty.ledger'))).close();
});

/** Starts the writer; resolves with { code, signal, stdout, stderr }; `onLine` sees each line as printed. */
function writer(args, onLine = () => {}) {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    const before = stdout.split('\n').length - 1;
    stdout += d;
    for (const line of stdout.split('\n').slice(before, -1)) onLine(line, child);
  });
  child.stderr.on('data', (d) => (stderr += d));
  return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

test('two processes writing one ledger at once: no SQLITE_BUSY escapes, no id is lost, an id both send is held once', { skip: LEDGER_UNSUPPORTED, timeout: 120_000 }, async () => {
  const file = join(tempDir(), 'shared.ledger');
  (await Ledger.open(file)).close();
  const [a, b] = await Promise.all([writer([file, 'a', '200', '250']).done, writer([file, 'b', '200', '250']).done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const ledger = await Ledger.open(file, { readonly: true });
  assert.equal(ledger.stats('2025-06-30').ids, 2 * 200 * 250 + 200);
  assert.equal(ledger.requestsOn('api.sandbox.asapp.com', '2025-06-30'), 400);
  const ids = ['a', 'b'].flatMap((p) => Array.from({ length: 200 }, (_, t) => `${p}-${t}-249`));
  assert.equal(ledger.acceptedDays(ids).size, 400);
  ledger.close();
});

test('a process killed (SIGKILL) mid-write leaves a ledger that opens, with every id whose transaction committed', { skip: LEDGER_UNSUPPORTED, timeout: 120_000 }, async () => {
  const file = join(tempDir(), 'killed.ledger');
  let committed = -1;
  const run = writer([file, 'k', '100000', '500'], (line, child) => {
    committed = Number(line.split(' ')[1]);
    if (committed === 40) child.kill('SIGKILL');
  });
  const { signal } = await run.done;
  assert.equal(signal, 'SIGKILL');
  assert.ok(committed >= 40, `committed ${committed}`);
  const ledger = await Ledger.open(file);
  const ids = Array.from({ length: committed + 1 }, (_, t) => Array.from({ length: 500 }, (_, i) => `k-${t}-${i}`)).flat();
  assert.equal(ledger.acceptedDays(ids).size, ids.length, 'every committed id is held');
  const held = ledger.stats().ids;
  assert.ok(held === (committed + 1) * 501 || held === (committed + 2) * 501, `whole transactions only: ${held}`);
  ledger.close();
});
