// --ledger on a real run (issue 28), against `bulk-submit serve` and the CLI as a child process: the
// second of two overlapping nights sends only its new rows; two shards at once on one ledger; kill -9 and
// --resume store every record once; the day's quota is kept across runs (stop, or wait until SIGTERM);
// a file that is not a ledger is refused before anything is sent, and left as it was.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSql } from '../../dist/ledger/sql.js';
import { awayFromMidnight, lineCount, readNdjson, readStore, runCli, startCli, startStoringServe, tempDir, waitFor } from '../helpers/cli.js';

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const today = () => new Date().toISOString().slice(0, 10);

/** A conversations CSV of these ids (`c-7`). */
function csv(dir, name, ids) {
  writeFileSync(join(dir, name), `External Conversation ID,Device Type,attr.channel\n${ids.map((id) => `c-${id},PHONE,web`).join('\n')}\n`);
  return name;
}

/** Requests `serve` answered, from the line it prints when it stops. */
async function stopAndCount(serve) {
  const { stderr } = await serve.stop();
  const match = /stopped after (\d+) request/.exec(stderr);
  assert.ok(match, stderr);
  return Number(match[1]);
}

async function submit(cwd, url, file, args, options = {}) {
  const result = await runCli(['submit', file, '-e', url, '--rate', '0', '--ledger', 'ids.ledger', '--json', ...args], { cwd, ...options });
  return { ...result, summary: result.stdout ? JSON.parse(result.stdout) : undefined };
}

/** The stored records by conversation id: how many times each. */
function storedTimes(store) {
  const times = new Map();
  for (const { record } of readStore(store)) times.set(record.externalConversationId, (times.get(record.externalConversationId) ?? 0) + 1);
  return times;
}

for (const [mode, args, night2Requests] of [
  ['single', ['--batch-size', '1'], 50],
  ['batch', ['--batch-size', '20'], 3],
]) {
  test(`${mode}: the second of two overlapping nights sends only its new rows; the rest are skipped, with the day they were accepted`, { timeout: 120_000 }, async () => {
    const cwd = tempDir();
    const serve = await startStoringServe();
    let requests;
    let night2;
    try {
      const night1 = await submit(cwd, serve.url, csv(cwd, 'night1.csv', range(1, 100)), [...args, '-r', 'night1.report.ndjson']);
      assert.equal(night1.code, 0, night1.stderr);
      // The run merged its ids at its end: the journal is empty, and the filter counts them.
      const db = await openSql(join(cwd, 'ids.ledger'), { readonly: true, mustExist: true, timeout: 10_000 });
      assert.deepEqual(db.prepare("SELECT (SELECT count(*) FROM journal), (SELECT count(*) FROM accepted), (SELECT value FROM meta WHERE key = 'filter_ids')").get(), [0, 100, '100']);
      db.close();
      // --dry-run asks the ledger too: it tells which rows night 2 would skip, and plans the requests of the others.
      const plan = await submit(cwd, serve.url, csv(cwd, 'night2.csv', range(51, 150)), [...args, '--dry-run', '-r', 'plan.report.ndjson']);
      assert.equal(plan.code, 0, plan.stderr);
      assert.deepEqual([plan.summary.valid, plan.summary.skippedByLedger, plan.summary.plannedRequests], [50, 50, night2Requests]);
      assert.deepEqual(readNdjson(join(cwd, 'plan.report.ndjson')).filter((line) => line.status === 'skipped').map((line) => line.row), range(1, 50));
      night2 = await submit(cwd, serve.url, 'night2.csv', [...args, '-r', 'night2.report.ndjson']);
      assert.equal(night2.code, 0, night2.stderr);
    } finally {
      requests = await stopAndCount(serve);
    }
    const night1Requests = mode === 'single' ? 100 : 5;
    assert.equal(requests - night1Requests, night2Requests, 'night 2 sent its 50 new rows only');
    assert.equal(night2.summary.accepted, 50);
    assert.equal(night2.summary.skipped, 50);
    assert.equal(night2.summary.skippedByLedger, 50);
    assert.equal(night2.summary.rows, 100, 'every row of the night is in its report');
    assert.match(night2.stderr, /skipped {3}50 \(accepted in an earlier run, by the ledger\)/);
    const report = readNdjson(join(cwd, 'night2.report.ndjson'));
    const skipped = report.filter((line) => line.status === 'skipped');
    assert.deepEqual(skipped.map((line) => line.row), range(1, 50), 'rows 1–50 of night 2 are rows 51–100 of night 1');
    assert.ok(skipped.every((line) => line.acceptedOn === today() && line.attempts === 0 && /^bs-[0-9a-f]{40}$/.test(line.eventId)));
    const night1Ids = new Map(readNdjson(join(cwd, 'night1.report.ndjson')).map((line) => [line.row, line.eventId]));
    assert.equal(skipped[0].eventId, night1Ids.get(51));
    const times = storedTimes(serve.store);
    assert.equal(times.size, 150);
    assert.ok([...times.values()].every((n) => n === 1));
    // The report command counts a skipped row as covered.
    const covered = await runCli(['report', 'night2.report.ndjson', '--inputs', 'night2.csv'], { cwd });
    assert.equal(covered.code, 0, covered.stdout + covered.stderr);
    assert.match(covered.stdout, /50 skipped \(accepted in an earlier run, by the ledger\)/);
  });
}

test('two shards at once on one ledger: every record once; then the whole file again sends nothing', { timeout: 180_000 }, async () => {
  const cwd = tempDir();
  csv(cwd, 'export.csv', range(1, 400));
  const serve = await startStoringServe(['--latency', '2ms']);
  let requests;
  let again;
  try {
    const shards = await Promise.all(
      ['0/2', '1/2'].map((shard) => submit(cwd, serve.url, 'export.csv', ['--batch-size', '1', '--shard', shard, '-r', `shard-${shard[0]}.report.ndjson`])),
    );
    for (const shard of shards) assert.equal(shard.code, 0, shard.stderr);
    assert.equal(shards[0].summary.accepted + shards[1].summary.accepted, 400);
    again = await submit(cwd, serve.url, 'export.csv', ['--batch-size', '1', '-r', 'again.report.ndjson']);
    assert.equal(again.code, 0, again.stderr);
  } finally {
    requests = await stopAndCount(serve);
  }
  assert.equal(requests, 400, 'the second run sent nothing');
  assert.equal(again.summary.requests, 0);
  assert.equal(again.summary.skippedByLedger, 400);
  assert.equal(storedTimes(serve.store).size, 400);
  const stats = await runCli(['ledger', 'stats', '--ledger', 'ids.ledger', '--json'], { cwd });
  assert.equal(stats.code, 0, stats.stderr);
  const json = JSON.parse(stats.stdout);
  assert.equal(json.ids, 400);
  assert.deepEqual(json.requests.map((r) => [r.host, r.day, r.count]), [['127.0.0.1', today(), 400]], 'both shards counted their requests in the one ledger');
});

test('kill -9 mid-run, then --resume: every record stored exactly once, and the ledger opens fine', { timeout: 180_000 }, async () => {
  const cwd = tempDir();
  csv(cwd, 'big.csv', range(1, 600));
  const serve = await startStoringServe(['--latency', '5ms']);
  try {
    const args = ['submit', 'big.csv', '-e', serve.url, '--rate', '0', '--batch-size', '1', '--ledger', 'ids.ledger', '-r', 'big.report.ndjson'];
    const first = startCli(args, { cwd });
    await waitFor(() => lineCount(join(cwd, 'big.report.ndjson')) >= 100 || first.child.exitCode !== null, 'a hundred rows reported');
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    assert.equal(killed.signal, 'SIGKILL', 'killed mid-run, not finished');
    const resumed = await runCli([...args, '--resume', '--json'], { cwd, timeoutMs: 120_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout);
    assert.equal(summary.accepted + summary.skipped, 600);
  } finally {
    await serve.stop();
  }
  const times = storedTimes(serve.store);
  assert.equal(times.size, 600);
  assert.deepEqual([...times].filter(([, n]) => n !== 1), [], 'no record stored twice');
  const stats = await runCli(['ledger', 'stats', '--ledger', 'ids.ledger', '--json'], { cwd });
  assert.equal(stats.code, 0, stats.stderr);
  assert.equal(JSON.parse(stats.stdout).ids, 600, 'every accepted id is in the ledger');
  // And the next night sends none of them.
  const serve2 = await startStoringServe();
  try {
    const next = await submit(cwd, serve2.url, 'big.csv', ['--batch-size', '1', '-r', 'next.report.ndjson']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.summary.requests, 0);
  } finally {
    await serve2.stop();
  }
});

test('the day\'s quota across runs: 100 with 60 spent stops the next run after the 40 left (exit 3, naming the reset); --dry-run counts the 60; --resume goes on', { timeout: 300_000 }, async () => {
  // The day's count must not start again between the runs.
  await awayFromMidnight(2 * 60_000);
  const cwd = tempDir();
  csv(cwd, 'first.csv', range(1, 60));
  csv(cwd, 'second.csv', range(1001, 1100));
  const serve = await startStoringServe();
  let requests;
  let second;
  try {
    const first = await submit(cwd, serve.url, 'first.csv', ['--batch-size', '1', '--daily-quota', '100', '-r', 'first.report.ndjson']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual({ ...first.summary.quota, day: undefined }, { host: '127.0.0.1', day: undefined, limit: 100, from: 'option', spentBefore: 0, spent: 60, ledger: 'ids.ledger' });

    const planned = await runCli(['submit', 'second.csv', '-e', serve.url, '--dry-run', '--batch-size', '1', '--ledger', 'ids.ledger', '--daily-quota', '100', '-r', 'plan.report.ndjson'], { cwd });
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stderr, /warning: this run needs about 100 requests, more than the day's quota of 100 \(--daily-quota\), and 60 of today's are spent already \(ledger ids\.ledger, 127\.0\.0\.1\): 40 left/);

    // validate names no endpoint: the ledger's host of the day stands for it, and a loopback one has no quota of the API's.
    const checked = await runCli(['validate', 'second.csv', '--ledger', 'ids.ledger', '--json', '-r', 'check.report.ndjson'], { cwd });
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(JSON.parse(checked.stdout).quota, null);
    const counted = await runCli(['validate', 'second.csv', '--ledger', 'ids.ledger', '--daily-quota', '100', '--json', '-r', 'check2.report.ndjson'], { cwd });
    assert.equal(counted.code, 0, counted.stderr);
    assert.deepEqual({ ...JSON.parse(counted.stdout).quota, day: undefined }, { host: '127.0.0.1', day: undefined, limit: 100, from: 'option', spentBefore: 60, spent: 60, ledger: 'ids.ledger' });

    second = await submit(cwd, serve.url, 'second.csv', ['--batch-size', '1', '--daily-quota', '100', '-r', 'second.report.ndjson']);
    assert.equal(second.code, 3, second.stderr);
    assert.match(
      second.stderr,
      /aborted: the day's quota is spent: 100 of 100 requests \(--daily-quota\) to 127\.0\.0\.1 on \d{4}-\d\d-\d\d \(UTC\), 40 by this run, 60 by earlier runs or other processes sharing the ledger ids\.ledger; it resets at 00:00 UTC, in (\d+h)?\d+m(\d+s)?: run again with --resume after it/,
    );
    assert.equal(second.summary.requests, 40);
    assert.equal(readNdjson(join(cwd, 'second.report.ndjson')).length, 40, 'the report holds the 40 rows sent');

    // A new day's quota (here: a larger one) lets --resume go on from there.
    const resumed = await submit(cwd, serve.url, 'second.csv', ['--batch-size', '1', '--daily-quota', '160', '-r', 'second.report.ndjson', '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.summary.requests, 60);
    assert.equal(resumed.summary.skipped, 40);
  } finally {
    requests = await stopAndCount(serve);
  }
  assert.equal(requests, 160, 'no request past the quota reached the service');
  assert.equal(storedTimes(serve.store).size, 160);
});

test('--at-quota wait waits for the reset, says so once (stderr, progress line, page), and ends cleanly on SIGTERM with the report intact', { timeout: 300_000 }, async () => {
  // The reset must not come before the SIGTERM does.
  await awayFromMidnight(2 * 60_000);
  const cwd = tempDir();
  csv(cwd, 'rows.csv', range(1, 30));
  const serve = await startStoringServe();
  try {
    const run = startCli(
      ['submit', 'rows.csv', '-e', serve.url, '--rate', '0', '--batch-size', '1', '--ledger', 'ids.ledger', '--daily-quota', '10', '--at-quota', 'wait', '-r', 'rows.report.ndjson', '--html', 'run.html', '--progress-interval', '200ms'],
      { cwd },
    );
    await waitFor(() => /waiting until then \(--at-quota wait\), then going on/.test(run.stderr) || run.child.exitCode !== null, 'the line that says the run waits');
    assert.match(run.stderr, /the day's quota is spent: 10 of 10 requests \(--daily-quota\) to 127\.0\.0\.1 on .*it resets at 00:00 UTC, in .*: waiting until then/);
    await waitFor(() => /waiting for the quota to reset at 00:00 UTC \(in /.test(run.stderr), 'the progress line saying it waits');
    await waitFor(() => existsSync(join(cwd, 'run.html')) && readFileSync(join(cwd, 'run.html'), 'utf8').includes('waiting until then'), 'the page saying it waits');
    assert.equal(run.child.exitCode, null, 'still running: waiting');
    assert.equal(run.stderr.match(/waiting until then/g).length, 1, 'said once');
    run.child.kill('SIGTERM');
    const ended = await run.exited;
    assert.equal(ended.code, 143, ended.stderr);
    assert.match(ended.stderr, /interrupted by SIGTERM/);
    const report = readNdjson(join(cwd, 'rows.report.ndjson'));
    assert.equal(report.length, 10);
    assert.ok(report.every((line) => line.status === 'accepted'));
    assert.match(readFileSync(join(cwd, 'run.html'), 'utf8'), /interrupted by SIGTERM/, 'the finished page replaced the waiting one');
  } finally {
    await serve.stop();
  }
  assert.equal(storedTimes(serve.store).size, 10);
});

test('a --ledger that is not one (a CSV, another SQLite database) is refused before anything is sent, exit 2, and left untouched', { timeout: 120_000 }, async () => {
  const cwd = tempDir();
  csv(cwd, 'rows.csv', range(1, 5));
  writeFileSync(join(cwd, 'export.csv'), 'id,name\n1,a\n');
  const other = await openSql(join(cwd, 'other.db'), { readonly: false, mustExist: false, timeout: 10_000 });
  other.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
  other.close();
  const serve = await startStoringServe();
  let requests;
  try {
    for (const [file, why] of [
      ['export.csv', /not a usable ledger: it is not a SQLite database/],
      ['other.db', /not a usable ledger: it is a SQLite database, but not a bulk-submit ledger/],
    ]) {
      const before = readFileSync(join(cwd, file));
      const run = await runCli(['submit', 'rows.csv', '-e', serve.url, '--ledger', file, '-r', `${file}.report.ndjson`], { cwd });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, why);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
      assert.ok(readFileSync(join(cwd, file)).equals(before), `${file} untouched`);
      assert.equal(existsSync(join(cwd, `${file}-wal`)), false);
    }
  } finally {
    requests = await stopAndCount(serve);
  }
  assert.equal(requests, 0, 'nothing was sent');
});

test('with a ledger and no quota (a loopback endpoint), the summary counts the day\'s requests without a limit: "1 request"', { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  csv(cwd, 'three.csv', range(1, 3));
  const serve = await startStoringServe();
  try {
    const run = await runCli(['submit', 'three.csv', '-e', serve.url, '--batch-size', '10', '--ledger', 'ids.ledger'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\n {2}quota {5}1 request to 127\.0\.0\.1 on \d{4}-\d\d-\d\d \(UTC\); 0 of them before this run \(ledger ids\.ledger\)\n/);
  } finally {
    await serve.stop();
  }
});
