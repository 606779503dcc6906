// The ledger (issue 28): a SQLite file of accepted ids and requests per day, refused when it is not one
// (the file untouched), shared by processes writing at once, and whole after a kill -9.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ledger, SCHEMA_VERSION, quotaLeft, utcDay } from '../../dist/ledger/index.js';
import { openSql } from '../../dist/ledger/sql.js';
import { IdFilter } from '../../dist/ledger/id-filter.js';
import { fingerprint, keyOf } from '../../dist/ledger/fingerprint.js';
import { readFilter } from '../../dist/ledger/merge.js';
import { JOURNAL_MERGE_IDS } from '../../dist/ledger/schema.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const WRITER = join(ROOT, 'test', 'helpers', 'ledger-writer.js');
const refused = (why) => (error) => error.code === 'BULK_LEDGER_INVALID' && why.test(error.message) && !error.message.includes('\n');

/** SQLite on this Node, by the ledger's own driver choice (better-sqlite3, or node:sqlite from Node 24 on), with no ledger logic. */
const sql = (file, readonly = false) => openSql(file, { readonly, mustExist: false, timeout: 10_000 });

/** A SQLite file written directly, as another program would. */
async function sqliteFile(file, text) {
  const db = await sql(file);
  db.exec(text);
  db.close();
}

/** Opening `file` is refused with `why`, and its bytes (and its folder) are as they were. */
async function assertRefused(file, why) {
  const before = readFileSync(file);
  await assert.rejects(Ledger.open(file), refused(why));
  assert.deepEqual(readFileSync(file), before, `${file} is untouched`);
}

test('a new ledger: ids recorded once (the first day kept), looked up in chunks, requests counted per host and day', async () => {
  const file = join(tempDir(), 'new.ledger');
  const ledger = await Ledger.open(file);
  const ids = Array.from({ length: 1234 }, (_, i) => `id-${i}`);
  ledger.recordAccepted(ids.map((eventId, i) => ({ eventId, day: '2025-06-29', source: `a.csv:${i + 1}` })));
  assert.equal(ledger.journaled, 1234);
  assert.equal(ledger.merge(), 1234);
  assert.equal(ledger.journaled, 0);
  ledger.recordAccepted([{ eventId: 'id-0', day: '2025-06-30', source: 'b.csv:9' }, { eventId: 'new', day: '2025-06-30', source: 'b.csv:10' }]);
  assert.equal(ledger.merge(), 1, 'id-0 was held');
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
  const db = await sql(file, true);
  assert.equal(db.pragma('journal_mode'), 'wal');
  assert.equal(db.pragma('page_size'), 1024, 'small pages: an id dirties a quarter of the bytes');
  assert.equal(db.pragma('user_version'), SCHEMA_VERSION);
  // The ids themselves and their senders, in the order they were accepted (an id's first line names its
  // first sender), beside the fingerprints looked up; the journal is empty once merged.
  assert.deepEqual(db.prepare('SELECT count(*) FROM sent').get(), [1236]);
  assert.deepEqual(db.prepare("SELECT source FROM sent WHERE event_id = 'id-0' ORDER BY seq").all(), [['a.csv:1'], ['b.csv:9']]);
  assert.deepEqual(db.prepare('SELECT count(*) FROM journal').get(), [0]);
  db.close();
  const readonly = await Ledger.open(file, { readonly: true });
  assert.equal(readonly.stats(today).ids, 1235);
  assert.throws(() => readonly.countRequests('h', today), /read-only/);
  readonly.close();
});

test('a file that is not a ledger is refused in one line, and left untouched', async () => {
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

test('two processes writing one ledger at once: no SQLITE_BUSY escapes, no id is lost, an id both send is held once', { timeout: 120_000 }, async () => {
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

test('a process killed (SIGKILL) mid-write leaves a ledger that opens, with every id whose transaction committed', { timeout: 120_000 }, async () => {
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

test('ids are held by fingerprint: two that share only the key are two, and the second is never skipped', async () => {
  const ledger = await Ledger.open(join(tempDir(), 'keys.ledger'));
  const first = `bs-${'ab'.repeat(8)}${'0'.repeat(24)}`;
  const sameKey = `bs-${'ab'.repeat(8)}${'1'.repeat(24)}`; // the same first 64 bits, another check
  const other = 'Order#42 (the column\'s own id)';
  ledger.recordAccepted([{ eventId: first, day: '2026-12-01', source: 'a.csv:1' }, { eventId: other, day: '2026-12-02', source: 'a.csv:2' }]);
  assert.equal(ledger.merge(), 2);
  ledger.recordAccepted([{ eventId: sameKey, day: '2026-12-03', source: 'b.csv:1' }]);
  assert.equal(ledger.merge(), 0, 'not recorded: its key is taken');
  const days = ledger.acceptedDays([first, sameKey, other, 'Order#43']);
  assert.deepEqual(new Map([...days]), new Map([[first, '2026-12-01'], [other, '2026-12-02']]), 'the one that shares only the key is not held: it is sent (and the service answers 409 if it has it)');
  ledger.close();
});

test('a ledger of schema version 1 (bulk-submit 0.4.0) is upgraded in place when opened, even read-only: every id held with its day', async () => {
  const file = join(tempDir(), 'old.ledger');
  const ids = Array.from({ length: 25_000 }, (_, i) => (i % 5 === 0 ? `own-id-${i}` : `bs-${createHash('sha1').update(String(i)).digest('hex')}`));
  const db = await sql(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE accepted (event_id TEXT PRIMARY KEY, day TEXT NOT NULL, source TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE requests (host TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (host, day)) WITHOUT ROWID;
    INSERT INTO meta VALUES ('created_by', 'bulk-submit'); INSERT INTO requests VALUES ('h', '${utcDay()}', 7);
    PRAGMA application_id = 0x42534c47; PRAGMA user_version = 1;`);
  const insert = db.prepare('INSERT INTO accepted VALUES (?, ?, ?)');
  db.immediate(() => ids.forEach((id, i) => insert.run(id, `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`, `old.csv:${i + 1}`)));
  db.close();
  const reader = await Ledger.open(file, { readonly: true });
  const days = reader.acceptedDays([...ids, 'bs-0000000000000000000000000000000000000000']);
  assert.equal(days.size, ids.length, 'every id of the old ledger is held, none more');
  assert.equal(days.get(ids[27]), '2026-11-28');
  assert.equal(days.get(ids[5]), '2026-11-06');
  assert.deepEqual(reader.stats(utcDay()), { ids: ids.length, requests: [{ host: 'h', day: utcDay(), count: 7 }] });
  reader.close();
  const after = await sql(file, true);
  assert.equal(after.pragma('user_version'), SCHEMA_VERSION);
  assert.deepEqual(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().flat(), ['accepted', 'filter', 'journal', 'meta', 'requests', 'sent', 'sqlite_sequence']);
  after.close();
  const writer = await Ledger.open(file);
  writer.recordAccepted([{ eventId: ids[1], day: '2026-12-05', source: 'new.csv:1' }]);
  assert.equal(writer.merge(), 0, 'still held after the upgrade');
  writer.close();
});

/** The filter a ledger keeps, and its count of ids. */
async function filterOf(file) {
  const db = await sql(file, true);
  try {
    return readFilter(db);
  } finally {
    db.close();
  }
}

/** `count` random generated ids (`bs-` + 40 hex digits), half of them with a negative key. */
const generatedIds = (count) => Array.from({ length: count }, () => `bs-${randomBytes(20).toString('hex')}`);

test('the filter: every id added is found, and few others are (a false positive is then asked of the table)', () => {
  const filter = IdFilter.sizedFor(100_000);
  const added = generatedIds(100_000).map(fingerprint);
  for (const print of added) filter.add(print);
  assert.ok(added.every((print) => filter.has(print)), 'no false negative');
  const others = generatedIds(100_000).map(fingerprint);
  const falsePositives = others.filter((print) => filter.has(print)).length;
  assert.ok(falsePositives < 1000, `${falsePositives} false positives in 100,000 (16 bits an id: about 0.1% expected)`);
  assert.equal(filter.fits(100_000), true);
  assert.equal(filter.fits(filter.bytes.length * 8), false, 'one bit an id is too few: made again, larger');
  assert.throws(() => new IdFilter(new Uint8Array(100)), /power of two/);
});

test('a key is what version 2 (0.4.1) made of an id: the first 16 hex digits of a generated one, signed; the SHA-1 of any other', () => {
  for (const id of [...generatedIds(200), `bs-${'f'.repeat(40)}`, `bs-${'0'.repeat(40)}`, `bs-8${'0'.repeat(39)}`]) {
    assert.equal(keyOf(fingerprint(id)), BigInt.asIntN(64, BigInt(`0x${id.slice(3, 19)}`)), id);
    assert.equal(fingerprint(id).check, Number.parseInt(id.slice(19, 27), 16) | 0, id);
  }
  const digest = createHash('sha1').update('Order#42').digest();
  assert.equal(keyOf(fingerprint('Order#42')), digest.readBigInt64BE(0));
  assert.equal(fingerprint('Order#42').check, digest.readInt32BE(8));
});

test('the journal: recorded ids are found before the merge (read-only, as a dry run after a kill -9), merged once, and the filter then holds them all', async () => {
  const file = join(tempDir(), 'journal.ledger');
  const writer = await Ledger.open(file);
  const ids = generatedIds(60_000); // more than a new ledger's filter has room for: it is made again, larger
  writer.recordAccepted(ids.slice(0, 30_000).map((eventId, i) => ({ eventId, day: '2026-12-01', source: `a.csv:${i + 1}` })));
  const before = await Ledger.open(file, { readonly: true });
  assert.equal(before.acceptedDays(ids).size, 30_000, 'the journal is looked in');
  assert.equal(before.stats().ids, 30_000);
  before.close();
  assert.equal(writer.merge(), 30_000);
  writer.recordAccepted(ids.slice(30_000).map((eventId, i) => ({ eventId, day: '2026-12-02', source: `b.csv:${i + 1}` })));
  writer.close(); // not merged: as a run killed before its end
  const db = await sql(file, true);
  assert.deepEqual(db.prepare('SELECT count(*) FROM journal').get(), [30_000]);
  db.close();
  (await Ledger.open(file)).close(); // a writing open merges what it finds
  const check = await sql(file, true);
  assert.deepEqual(check.prepare('SELECT count(*), (SELECT count(*) FROM journal) FROM accepted').get(), [60_000, 0]);
  const kept = readFilter(check);
  assert.equal(kept.ids, 60_000);
  assert.ok(kept.filter.bytes.length > 64 * 1024, `made again, larger: ${kept.filter.bytes.length} bytes`);
  assert.ok(ids.every((id) => kept.filter.has(fingerprint(id))), 'every id held is in the filter');
  check.close();
  const reader = await Ledger.open(file, { readonly: true });
  const days = reader.acceptedDays([...ids, ...generatedIds(1000)]);
  assert.equal(days.size, 60_000);
  assert.equal(days.get(ids[0]), '2026-12-01');
  assert.equal(days.get(ids[59_999]), '2026-12-02');
  reader.close();
});

test('a ledger whose filter is gone or broken still answers every look-up (from the table), and the next merge makes it again', async () => {
  const file = join(tempDir(), 'broken.ledger');
  const writer = await Ledger.open(file);
  const ids = generatedIds(2000);
  writer.recordAccepted(ids.map((eventId, i) => ({ eventId, day: '2026-12-01', source: `a.csv:${i + 1}` })));
  writer.merge();
  writer.close();
  await sqliteFile(file, "UPDATE filter SET bits = zeroblob(100) WHERE part = 0;");
  const reader = await Ledger.open(file, { readonly: true });
  assert.equal(reader.acceptedDays(ids).size, 2000, 'a filter of no size a filter has is not asked');
  reader.close();
  await sqliteFile(file, "DELETE FROM meta WHERE key = 'filter_ids';");
  const again = await Ledger.open(file);
  assert.equal(again.acceptedDays(ids).size, 2000, 'no filter: the table is asked');
  again.recordAccepted([{ eventId: 'one-more', day: '2026-12-02', source: 'b.csv:1' }]);
  assert.equal(again.merge(), 1);
  again.close();
  const kept = await filterOf(file);
  assert.equal(kept.ids, 2001, 'made again of every id held');
  assert.ok([...ids, 'one-more'].every((id) => kept.filter.has(fingerprint(id))));
});

test('a ledger of schema version 2 (bulk-submit 0.4.1) is upgraded in place: a journal, and a filter of every id held', async () => {
  const file = join(tempDir(), 'v2.ledger');
  const ids = generatedIds(5000);
  const db = await sql(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE accepted (key INTEGER PRIMARY KEY, check_bits INTEGER NOT NULL, day INTEGER NOT NULL);
    CREATE TABLE sent (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, source TEXT NOT NULL);
    CREATE TABLE requests (host TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (host, day)) WITHOUT ROWID;
    INSERT INTO meta VALUES ('created_by', 'bulk-submit');
    PRAGMA application_id = 0x42534c47; PRAGMA user_version = 2;`);
  const insert = db.prepare('INSERT INTO accepted VALUES (?, ?, ?)');
  db.immediate(() => ids.forEach((id) => insert.run(keyOf(fingerprint(id)), fingerprint(id).check, 20_423)));
  db.close();
  const reader = await Ledger.open(file, { readonly: true });
  const days = reader.acceptedDays([...ids, ...generatedIds(500)]);
  assert.equal(days.size, 5000);
  assert.equal(days.get(ids[0]), '2025-12-01');
  reader.close();
  const after = await sql(file, true);
  assert.equal(after.pragma('user_version'), SCHEMA_VERSION);
  const kept = readFilter(after);
  after.close();
  assert.equal(kept.ids, 5000);
  assert.ok(ids.every((id) => kept.filter.has(fingerprint(id))));
});

test('a journal that cannot be merged at open is one line (BULK_LEDGER_WRITE), and the ledger is closed', async () => {
  const file = join(tempDir(), 'unmergeable.ledger');
  (await Ledger.open(file)).close();
  await sqliteFile(file, "INSERT INTO journal (key, check_bits, day) VALUES ('not a key', 0, 0);");
  await assert.rejects(Ledger.open(file), (error) => error.code === 'BULK_LEDGER_WRITE' && /cannot merge the journal of the ledger .*unmergeable\.ledger .*nothing was sent/.test(error.message) && !error.message.includes('\n'));
  const reader = await Ledger.open(file, { readonly: true });
  assert.equal(reader.acceptedDays(['x']).size, 0, 'read-only, it still opens');
  reader.close();
});

test('a filter that lacks ids of `accepted` (written by an older bulk-submit still running) is made again by the next merge', async () => {
  const file = join(tempDir(), 'stale.ledger');
  const ids = generatedIds(3);
  const writer = await Ledger.open(file);
  writer.recordAccepted([{ eventId: ids[0], day: '2026-12-01', source: 'a.csv:1' }]);
  writer.merge();
  await sqliteFile(file, `INSERT INTO accepted VALUES (${keyOf(fingerprint(ids[1]))}, ${fingerprint(ids[1]).check}, 20423);`);
  writer.recordAccepted([{ eventId: ids[2], day: '2026-12-02', source: 'a.csv:3' }]);
  assert.equal(writer.merge(), 1);
  writer.close();
  const kept = await filterOf(file);
  assert.equal(kept.ids, 3, 'counted again');
  assert.ok(ids.every((id) => kept.filter.has(fingerprint(id))), 'the id written behind its back is in it');
});

test('a connection merges by itself every JOURNAL_MERGE_IDS ids it records: a long run or import keeps its journal bounded', { timeout: 120_000 }, async () => {
  const file = join(tempDir(), 'long.ledger');
  const ledger = await Ledger.open(file);
  const ids = generatedIds(JOURNAL_MERGE_IDS + 10_000);
  for (let at = 0; at < JOURNAL_MERGE_IDS; at += 10_000) ledger.recordAccepted(ids.slice(at, at + 10_000).map((eventId, i) => ({ eventId, day: '2026-12-01', source: `a.csv:${at + i + 1}` })));
  assert.equal(ledger.journaled, 0, 'merged when the journal reached the bound');
  ledger.recordAccepted(ids.slice(JOURNAL_MERGE_IDS).map((eventId, i) => ({ eventId, day: '2026-12-01', source: `b.csv:${i + 1}` })));
  assert.equal(ledger.journaled, 10_000);
  ledger.close();
  const db = await sql(file, true);
  assert.deepEqual(db.prepare('SELECT (SELECT count(*) FROM accepted), (SELECT count(*) FROM journal)').get(), [JOURNAL_MERGE_IDS, 10_000]);
  db.close();
});
