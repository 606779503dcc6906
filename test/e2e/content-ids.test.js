// Exactly once across files and days: a row's eventId comes from what it says, not where it stands.
// `serve --store` is the truth: each case stores every distinct record exactly once, in single and in
// batch mode; a record that changed is stored as a new event; a report written under the old rule
// (position ids, test/fixtures/position-report) resumes with that rule.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, readNdjson, readStore, runCli, startStoringServe, tempDir } from '../helpers/cli.js';

const MODES = [
  ['single', ['--batch-size', '1']],
  ['batch', ['--batch-size', '20']],
];

/** A conversations CSV of these ids (`c-7`), with a channel that may be changed per id. */
function csv(dir, name, ids, changed = new Set()) {
  const lines = ['External Conversation ID,Device Type,attr.channel', ...ids.map((id) => `c-${id},PHONE,${changed.has(id) ? 'voice' : 'web'}`)];
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  return name;
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** What the store holds: by conversation id, how many times, and the records. */
function stored(store) {
  const records = readStore(store).map((s) => s.record);
  const times = new Map();
  for (const r of records) times.set(r.externalConversationId, (times.get(r.externalConversationId) ?? 0) + 1);
  return { records, times };
}

async function submit(cwd, url, file, args) {
  const result = await runCli(['submit', file, '-e', url, '--rate', '0', '--report', `${file}.report.ndjson`, '--force', ...args], { cwd });
  return { ...result, report: readNdjson(join(cwd, `${file}.report.ndjson`)) };
}

for (const [mode, args] of MODES) {
  test(`${mode}: two overlapping nightly exports store 150 distinct records once each; a record changed since is a new event`, async () => {
    const serve = await startStoringServe();
    try {
      const cwd = tempDir();
      const night1 = await submit(cwd, serve.url, csv(cwd, 'night1.csv', range(1, 100)), args);
      assert.equal(night1.code, 0, night1.stderr);
      // Night 2 exports a two-day window: 51–150, with c-60 changed since night 1.
      const night2 = await submit(cwd, serve.url, csv(cwd, 'night2.csv', range(51, 150), new Set([60])), args);
      assert.equal(night2.code, 0, night2.stderr);
      const { records, times } = stored(serve.store);
      assert.equal(times.size, 150);
      assert.deepEqual([...times].filter(([id, n]) => n !== (id === 'c-60' ? 2 : 1)), [], 'each record stored once; c-60 twice: its two versions');
      assert.equal(records.length, 151);
      assert.deepEqual(records.filter((r) => r.externalConversationId === 'c-60').map((r) => r.attributes[0].value), ['web', 'voice']);
      // The 49 unchanged rows night 2 shares with night 1 went out under the same ids: answered 409, accepted.
      assert.equal(night2.report.filter((l) => l.status === 'accepted').length, 100);
      const night1Ids = new Map(night1.report.map((l) => [l.row, l.eventId]));
      assert.equal(night2.report.find((l) => l.row === 1).eventId, night1Ids.get(51), 'row 1 of night 2 is row 51 of night 1: one id');
    } finally {
      await serve.stop();
    }
  });

  test(`${mode}: a regenerated, re-sorted file run afresh stores nothing again`, async () => {
    const serve = await startStoringServe();
    try {
      const cwd = tempDir();
      const ids = range(1, 80);
      assert.equal((await submit(cwd, serve.url, csv(cwd, 'export.csv', ids), args)).code, 0);
      const shuffled = [...ids].sort((a, b) => ((a * 37) % 80) - ((b * 37) % 80));
      const again = await submit(cwd, serve.url, csv(cwd, 'export.csv', shuffled), args);
      assert.equal(again.code, 0, again.stderr);
      const { records, times } = stored(serve.store);
      assert.equal(records.length, 80, 'the 80 records, once each');
      assert.equal(times.size, 80);
    } finally {
      await serve.stop();
    }
  });

  test(`${mode}: a file with repeated rows sends each record once; a repeat is reported duplicate, naming the row it repeats`, async () => {
    const serve = await startStoringServe();
    try {
      const cwd = tempDir();
      // 40 rows: c-1 … c-30, then c-5, c-6, c-7 … c-14 again (rows 31–40).
      const file = csv(cwd, 'repeats.csv', [...range(1, 30), ...range(5, 14)]);
      const result = await submit(cwd, serve.url, file, [...args, '--json', '--rejects', 'rejects.csv']);
      assert.equal(result.code, 0, `a duplicate is no error: ${result.stderr}`);
      const { records, times } = stored(serve.store);
      assert.equal(records.length, 30);
      assert.equal(times.size, 30);
      const duplicates = result.report.filter((l) => l.status === 'duplicate');
      assert.deepEqual(duplicates.map((l) => l.row), range(31, 40));
      for (const line of duplicates) {
        const first = result.report.find((l) => l.row === line.row - 26);
        assert.deepEqual(line.repeats, { file: 'repeats.csv', row: first.row });
        assert.equal(line.eventId, first.eventId, 'the same eventId');
        assert.equal(line.error, null);
        assert.equal(line.attempts, 0, 'never sent');
      }
      const summary = JSON.parse(result.stdout);
      assert.deepEqual([summary.accepted, summary.duplicate, summary.rows], [30, 10, 40]);
      assert.match(result.stderr, /duplicate\s+10 \(repeat an earlier row of the run/);
      assert.equal(readFileSync(join(cwd, 'rejects.csv'), 'utf8').trim().split('\n').length, 1, 'nothing to feed back: the header alone');
      const audit = await runCli(['report', '--inputs', file, `${file}.report.ndjson`], { cwd });
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);
      assert.match(audit.stdout, /complete: every row of 1 input \(40 rows\) accepted exactly once, apart from 10 that repeat another row, accepted as it/);
    } finally {
      await serve.stop();
    }
  });

  test(`${mode}: two shards of a file with repeats store each record once (each shard finds its own repeats; 409 covers the rest)`, async () => {
    const serve = await startStoringServe();
    try {
      const cwd = tempDir();
      // Rows 1–60: c-1 … c-30 twice over; row k and row k+30 hold one record, so a repeat lands in either shard.
      const file = csv(cwd, 'sharded.csv', [...range(1, 30), ...range(1, 30)]);
      const runs = await Promise.all(
        ['0/2', '1/2'].map((shard) => runCli(['submit', file, '-e', serve.url, '--rate', '0', '--shard', shard, '--report', `shard-${shard[0]}.ndjson`, ...args], { cwd })),
      );
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const { records, times } = stored(serve.store);
      assert.equal(times.size, 30);
      assert.equal(records.length, 30, 'each record stored once');
      const lines = [0, 1].flatMap((k) => readNdjson(join(cwd, `shard-${k}.ndjson`)));
      assert.equal(lines.length, 60);
      assert.ok(lines.some((l) => l.status === 'duplicate'), 'a shard found a repeat of its own');
    } finally {
      await serve.stop();
    }
  });
}

test('a report written with position ids (bulk-submit 0.1) resumes with them: the rows stored before their answer was lost are not stored again', async () => {
  const fixture = join(ROOT, 'test', 'fixtures', 'position-report');
  const cwd = tempDir();
  for (const name of ['in.csv', 'report.ndjson', 'store.ndjson']) copyFileSync(join(fixture, name), join(cwd, name));
  const before = readNdjson(join(cwd, 'report.ndjson'));
  assert.equal(before.filter((l) => l.status === 'failed').length, 20, 'the fixture: 20 rows failed after they were stored');
  const serve = await startStoringServe();
  // serve reads the store it is given at start: the fixture's 60 records, so it answers 409 for their ids.
  await serve.stop();
  copyFileSync(join(cwd, 'store.ndjson'), serve.store);
  const again = await startStoringServeAt(serve.store);
  try {
    const refused = await runCli(['submit', 'in.csv', '-e', again.url, '--resume', '--report', 'report.ndjson', '--event-ids', 'content'], { cwd });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--event-ids content: the report's rows were sent with position eventIds \(bulk-submit before 0\.2, or --event-ids position\)/);
    const resumed = await runCli(['submit', 'in.csv', '-e', again.url, '--resume', '--report', 'report.ndjson', '--json'], { cwd });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout);
    assert.deepEqual(summary.eventIds, { rule: 'position', from: 'report' });
    assert.deepEqual([summary.skipped, summary.accepted], [40, 20]);
    assert.match(resumed.stderr, /event ids position, as the report's rows were sent/);
    const after = readNdjson(join(cwd, 'report.ndjson')).slice(before.length);
    assert.equal(after.length, 20);
    assert.ok(after.every((l) => l.status === 'accepted'), 'each re-sent row is one the service has (an idempotent success in a batch)');
    for (const line of after) assert.equal(line.eventId, before.find((b) => b.row === line.row).eventId, 'sent again with the id it had');
    const { records, times } = stored(again.store);
    assert.equal(records.length, 60, 'no record stored twice');
    assert.equal(times.size, 60);
  } finally {
    await again.stop();
  }
});

/** `serve --store FILE` on a store that already holds records. */
async function startStoringServeAt(store) {
  const { startServe } = await import('../helpers/cli.js');
  return { ...(await startServe(['--store', store])), store };
}

test('rows with their own eventIds: a whole repeat is a duplicate; the same id with other fields goes in another batch, never two items with one id in a batch', async () => {
  const { withScripted, ok } = await import('../helpers/scripted-server.js');
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    const rows = [
      { externalConversationId: 'o-1', eventId: 'own-1' },
      { externalConversationId: 'o-2', eventId: 'own-2' },
      { externalConversationId: 'o-1', eventId: 'own-1' },
      { externalConversationId: 'o-3', eventId: 'own-2' },
      { externalConversationId: 'o-4', eventId: 'own-4' },
    ];
    writeFileSync(join(cwd, 'own.ndjson'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await runCli(['submit', 'own.ndjson', '-e', server.url, '--rate', '0', '--report', 'own.report.ndjson'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const batches = server.requests.map((r) => JSON.parse(r.body).items.map((item) => item.eventId));
    for (const ids of batches) assert.equal(new Set(ids).size, ids.length, `one id twice in a batch: ${ids}`);
    assert.deepEqual(batches.flat().sort(), ['own-1', 'own-2', 'own-2', 'own-4']);
    const report = new Map(readNdjson(join(cwd, 'own.report.ndjson')).map((l) => [l.row, l]));
    assert.deepEqual([report.get(3).status, report.get(3).eventId, report.get(3).repeats], ['duplicate', 'own-1', { file: 'own.ndjson', row: 1 }]);
    assert.equal(report.get(4).status, 'accepted', 'another record under a used id: sent, the service decides (409)');
  });
});
