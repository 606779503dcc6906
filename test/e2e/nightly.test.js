// Nightly imports left alone: error budgets as a share, metrics for Prometheus (text file and
// Pushgateway), latency in the summary, honest progress, and a disk that fills up mid-run.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, readNdjson, readStore, runCli, startServe, tempDir, withServe } from '../helpers/cli.js';
import { startScripted, withScripted } from '../helpers/scripted-server.js';

const rows = (n, bad = () => false) =>
  `${Array.from({ length: n }, (_, i) => (bad(i) ? '{"externalConversationId":""}' : `{"externalConversationId":"n-${i}"}`)).join('\n')}\n`;

/** `promtool check metrics`, the Prometheus project's own parser and linter (Debian's prometheus package). */
const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
function checkWithPromtool(text) {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(result.status, 0, `promtool check metrics: ${result.stdout}${result.stderr}`);
}

/** The samples of an exposition text: `name{labels} value` → [{name, labels, value}]. */
function samples(text) {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}
const value = (list, name, labels = {}) => list.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('--max-errors 2% stops once more than 2% of the rows read so far are invalid, judged from row 100 on (exit 3)', async () => {
  const cwd = tempDir();
  // Rows 1–10 invalid, then every row valid: 10 of the rows read so far is more than 2% (judged from row 100 on).
  writeFileSync(join(cwd, 'early.ndjson'), rows(400, (i) => i < 10));
  const early = await runCli(['submit', '--dry-run', '--max-errors', '2%', 'early.ndjson'], { cwd });
  assert.equal(early.code, 3, early.stderr);
  assert.match(early.stderr, /aborted: stopped: \d+ of the \d+ rows read so far \(\d+(\.\d+)?%\) are invalid or rejected, more than --max-errors 2%/);
  // One row in 100 invalid: under the budget, the run finishes (exit 1: some rows invalid).
  writeFileSync(join(cwd, 'fine.ndjson'), rows(400, (i) => i % 100 === 7));
  const fine = await runCli(['submit', '--dry-run', '--max-errors', '2%', 'fine.ndjson'], { cwd });
  assert.equal(fine.code, 1, fine.stderr);
  assert.doesNotMatch(fine.stderr, /aborted/);
  assert.equal(readNdjson(join(cwd, 'fine.ndjson.validation.ndjson')).length, 400);
  const wrong = await runCli(['submit', '--dry-run', '--max-errors', '120%', 'fine.ndjson'], { cwd });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--max-errors.*share above 0% and below 100%/);
});

test('--max-errors 2% counts rows the endpoint rejects, and says which budget it was', async () => {
  await withScripted((request) => {
    const { eventId } = JSON.parse(request.body);
    const bad = /-(\d+)$/.exec(JSON.parse(request.body).externalConversationId)[1] % 10 === 0;
    return bad ? { status: 400, body: { error: { code: 'FAIL_BAD_PARAMS', message: 'no' } } } : { status: 200, body: { eventId } };
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(1000));
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '--max-errors', '2%', 'in.ndjson'], { cwd });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /stopped: \d+ of the \d+ rows read so far \(\d+(\.\d+)?%\) are invalid or rejected, more than --max-errors 2%/);
    assert.ok(server.requests.length < 1000, `${server.requests.length} requests`);
  });
});

test('--metrics-file: valid Prometheus text whose counts equal the report; last success kept across a failed run', async () => {
  await withServe([], async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'good.ndjson'), rows(40));
    const first = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '--metrics-file', 'run.prom', '--report', 'nightly-2026-12-05.report.ndjson', 'good.ndjson'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const text1 = readFileSync(join(cwd, 'run.prom'), 'utf8');
    if (PROMTOOL) checkWithPromtool(text1);
    const one = samples(text1);
    // Labelled by a name that stays the same every night (the input's, dates taken out): never by the dated report.
    assert.equal(value(one, 'bulk_submit_rows', { status: 'accepted', bulk_job: 'good' }), 40);
    assert.doesNotMatch(text1, /report=|2026-12-05/, 'the report path is no label');
    assert.equal(value(one, 'bulk_submit_requests', { class: '2xx' }), 40);
    assert.equal(value(one, 'bulk_submit_exit_code'), 0);
    assert.equal(value(one, 'bulk_submit_request_duration_seconds_count'), 40);
    assert.ok(value(one, 'bulk_submit_request_duration_seconds', { quantile: '0.99' }) > 0);
    assert.equal(value(one, 'bulk_submit_input_bytes'), readFileSync(join(cwd, 'good.ndjson')).length);
    const success = value(one, 'bulk_submit_last_success_timestamp_seconds');
    assert.ok(Math.abs(success - Date.now() / 1000) < 600, `last success ${success}`);

    // A run with invalid rows (exit 1) replaces the file, keeping the last success of the run before.
    writeFileSync(join(cwd, 'mixed.ndjson'), rows(30, (i) => i % 3 === 0));
    const second = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '--metrics-file', 'run.prom', '--metrics-job', 'good', '--report', 'nightly.report.ndjson', '--force', 'mixed.ndjson'], { cwd });
    assert.equal(second.code, 1, second.stderr);
    const text2 = readFileSync(join(cwd, 'run.prom'), 'utf8');
    if (PROMTOOL) checkWithPromtool(text2);
    const two = samples(text2);
    const report = readNdjson(join(cwd, 'nightly.report.ndjson'));
    for (const status of ['accepted', 'invalid']) {
      assert.equal(value(two, 'bulk_submit_rows', { status }), report.filter((r) => r.status === status).length, status);
    }
    assert.equal(value(two, 'bulk_submit_exit_code'), 1);
    assert.equal(value(two, 'bulk_submit_last_success_timestamp_seconds'), success);
    assert.ok(value(two, 'bulk_submit_last_run_timestamp_seconds') >= success);
    assert.deepEqual(readdirSync(cwd).filter((f) => f.includes('.tmp')), [], 'no temporary file left behind');

    // A run refused before sending (exit 2) still writes its metrics: monitoring sees the failure.
    writeFileSync(join(cwd, 'bad.csv'), 'Nonsense Header\nx\n');
    const third = await runCli(['submit', '-e', server.url, '--metrics-file', 'run.prom', '--report', 'nightly.report.ndjson', 'bad.csv'], { cwd });
    assert.equal(third.code, 2, third.stderr);
    const three = samples(readFileSync(join(cwd, 'run.prom'), 'utf8'));
    assert.equal(value(three, 'bulk_submit_exit_code'), 2);
    assert.equal(value(three, 'bulk_submit_last_success_timestamp_seconds'), success);
  });
});

// CI (.ci/run) installs promtool and requires it; elsewhere the test runs when promtool is there.
const promtoolSkip = PROMTOOL || process.env.TEST_REQUIRE_PROMTOOL ? false : 'promtool is not installed (Debian package prometheus; .ci/run installs it)';

test('promtool, the Prometheus parser, accepts the metrics file of a run with every kind of row, and refuses a damaged one', { skip: promtoolSkip }, async () => {
  assert.ok(PROMTOOL, 'promtool is not installed (apt-get install prometheus)');
  await withScripted((request) => {
    const { externalConversationId: id, eventId } = JSON.parse(request.body);
    if (id.endsWith('1')) return { status: 200, body: { result: { eventId, error: 'FAIL_BAD_PARAMS: ERROR: no' } } };
    if (id.endsWith('2')) return { status: 503, body: {} };
    return { status: 200, body: { result: { eventId, error: '' } } };
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(40, (i) => i % 10 === 5));
    const run = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '--retries', '0', '--metrics-file', 'run.prom', 'in.ndjson'], { cwd });
    assert.equal(run.code, 1, run.stderr);
    const text = readFileSync(join(cwd, 'run.prom'), 'utf8');
    for (const status of ['accepted', 'rejected', 'failed', 'invalid']) assert.ok(value(samples(text), 'bulk_submit_rows', { status }) > 0, status);
    checkWithPromtool(text);
    // The same check refuses text that is not valid exposition: it would catch a metrics file gone wrong.
    const damaged = text.replace(/^(bulk_submit_rows\{[^}]*\}) (\S+)$/m, '$1 not-a-number');
    assert.notEqual(damaged, text);
    assert.notEqual(spawnSync('promtool', ['check', 'metrics'], { input: damaged, encoding: 'utf8' }).status, 0, 'promtool refuses a damaged line');
  });
});

test('--pushgateway: one push per shard, grouped by --metrics-job and shard; a failed push is one warning, not a failed run', async () => {
  const server = await startServe([]);
  const gateway = await startScripted(() => ({ status: 200, body: '' }));
  const refusing = await startScripted(() => ({ status: 500, body: 'down' }));
  try {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(20));
    for (const k of [0, 1]) {
      const result = await runCli(['submit', '-e', server.url, '--shard', `${k}/2`, '--report', `shard-${k}.report.ndjson`, '--pushgateway', gateway.url, 'in.ndjson'], { cwd });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /warning/i, 'nothing but the summary on stderr');
    }
    assert.deepEqual(
      gateway.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /metrics/job/bulk_submit/bulk_job/in/shard/0-of-2', 'POST /metrics/job/bulk_submit/bulk_job/in/shard/1-of-2'],
    );
    for (const [k, request] of gateway.requests.entries()) {
      assert.match(request.headers['content-type'], /^text\/plain; version=0\.0\.4/);
      if (PROMTOOL) checkWithPromtool(request.body);
      assert.equal(value(samples(request.body), 'bulk_submit_rows', { status: 'accepted', bulk_job: 'in', shard: `${k}-of-2` }), 10);
    }

    writeFileSync(join(cwd, 'few.ndjson'), rows(5));
    const result = await runCli(['submit', '-e', server.url, '--pushgateway', `http://user:hunter2@127.0.0.1:${new URL(refusing.url).port}/`, 'few.ndjson'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(refusing.requests[0].headers.authorization, `Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    const warnings = result.stderr.split('\n').filter((line) => /warning/i.test(line));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0], /^bulk-submit: warning: could not push the metrics to the Pushgateway at http:\/\/127\.0\.0\.1:\d+\/ \(push failed with status 500: down\)$/);
    assert.doesNotMatch(result.stderr, /hunter2/);
  } finally {
    await Promise.all([gateway.close(), refusing.close(), server.stop()]);
  }
});

test('the summary gives request latency p50/p95/p99, requests by status class and retries', async () => {
  // Every fourth row's first request gets a 503; its retry goes through.
  const refused = new Set();
  await withScripted((request) => {
    const { eventId, externalConversationId } = JSON.parse(request.body);
    if (Number(externalConversationId.slice(2)) % 4 === 1 && !refused.has(eventId)) {
      refused.add(eventId);
      return { status: 503, body: {} };
    }
    return { status: 200, body: { eventId } };
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(30));
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '--json', 'in.ndjson'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.requests, server.requests.length);
    assert.equal(summary.responses['5xx'], refused.size);
    assert.equal(refused.size, 8);
    assert.equal(summary.responses['2xx'], 30);
    assert.equal(summary.retries, summary.responses['5xx']);
    assert.ok(summary.latency.p50 <= summary.latency.p95 && summary.latency.p95 <= summary.latency.p99, JSON.stringify(summary.latency));
    assert.match(result.stderr, /latency +p50 \S+ · p95 \S+ · p99 \S+/);
  });
});

test('progress: the % follows the rows done, not how far the reader has read ahead', async () => {
  await withServe(['--latency', '15ms'], async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(300));
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--concurrency', '1', '--rate', '0', '--progress-interval', '250ms', 'in.ndjson'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const lines = [...result.stderr.matchAll(/bulk-submit: ([\d,]+) rows · (\d+)%/g)].map((m) => ({ done: Number(m[1].replace(/,/g, '')), percent: Number(m[2]) }));
    const midway = lines.filter((l) => l.done > 0 && l.done < 300);
    assert.ok(midway.length > 0, result.stderr);
    // The whole 300-row file is read at once; only the rows done may move the %.
    for (const { done, percent } of midway) assert.ok(Math.abs(percent - (done * 100) / 300) <= 5, `${done} rows but ${percent}%`);
    assert.match(result.stderr, /ETA \S+ · [\d,]+ rows\/s · p99 \S+/);
  });
});

test('a report that cannot be written (disk full) stops the run with the file, the cause, the rows not recorded; --resume stores none twice', async () => {
  const server = await startServe([]);
  const store = join(tempDir(), 'store.ndjson');
  const storing = await startServe(['--store', store]);
  try {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(30));
    // /dev/full fails every write with ENOSPC, as a full disk does.
    symlinkSync('/dev/full', join(cwd, 'full.report.ndjson'));
    const full = await runCli(['submit', '-e', storing.url, '--batch-size', '1', '--force', '--report', 'full.report.ndjson', 'in.ndjson'], { cwd });
    assert.equal(full.code, 3, full.stderr);
    assert.match(full.stderr, /aborted: cannot write the report file full\.report\.ndjson \(ENOSPC: no space left on device\): \d+ rows were sent but not recorded; free space, then run again with --resume: it sends them again with the same eventIds, so the service stores none of them twice/);
    assert.doesNotMatch(full.stderr, /\n\s+at /, 'no stack trace');
    rmSync(join(cwd, 'full.report.ndjson'));
    const resumed = await runCli(['submit', '-e', storing.url, '--batch-size', '1', '--resume', '--report', 'full.report.ndjson', 'in.ndjson'], { cwd });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(readNdjson(join(cwd, 'full.report.ndjson')).filter((r) => r.status === 'accepted').length, 30);
    const stored = readStore(store).map((s) => s.record.eventId);
    assert.equal(stored.length, 30);
    assert.equal(new Set(stored).size, 30);

    // A rejects file that cannot be written: the report is whole, --resume writes the rejects anew.
    symlinkSync('/dev/full', join(cwd, 'rejects.ndjson'));
    writeFileSync(join(cwd, 'bad.ndjson'), rows(10, () => true));
    const rejects = await runCli(['submit', '-e', server.url, '--force', '--rejects', 'rejects.ndjson', 'bad.ndjson'], { cwd });
    assert.equal(rejects.code, 3, rejects.stderr);
    assert.match(rejects.stderr, /cannot write the rejects file rejects\.ndjson \(ENOSPC: no space left on device\); the report holds every row done/);
  } finally {
    await storing.stop();
    await server.stop();
  }
});

test('a report that fills its file-size limit mid-run: rows before are recorded, --resume records the rest once', { skip: process.platform === 'linux' ? false : 'ulimit -f' }, async () => {
  const store = join(tempDir(), 'store.ndjson');
  await withServe(['--store', store], async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(3000));
    // `ulimit -f 128`: writes past 128 KiB fail with EFBIG (node ignores SIGXFSZ), about 600 report lines in.
    const args = ['submit', '-e', server.url, '--batch-size', '50', '--rate', '0', '--report', 'in.report.ndjson', 'in.ndjson'];
    const limited = await new Promise((resolve) => {
      const child = spawn('bash', ['-c', 'ulimit -f 128 && exec "$0" "$@"', process.execPath, BIN, ...args], { cwd, env: { ...process.env, CI: 'true' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(limited.code, 3, limited.stderr);
    assert.match(limited.stderr, /cannot write the report file in\.report\.ndjson \(EFBIG: file too large\): [\d,]+ rows were sent but not recorded/);
    const recorded = readFileSync(join(cwd, 'in.report.ndjson'), 'utf8').split('\n').length;
    assert.ok(recorded > 100 && recorded < 3000, `${recorded} lines recorded`);
    const resumed = await runCli(['submit', '-e', server.url, '--batch-size', '50', '--rate', '0', '--resume', '--report', 'in.report.ndjson', 'in.ndjson'], { cwd });
    assert.equal(resumed.code, 0, resumed.stderr);
    const accepted = new Set(readNdjson(join(cwd, 'in.report.ndjson')).filter((r) => r.status === 'accepted').map((r) => r.row));
    assert.equal(accepted.size, 3000);
    const stored = readStore(store).map((s) => s.record.eventId);
    assert.equal(new Set(stored).size, 3000);
    assert.equal(stored.length, 3000, 'nothing stored twice');
  });
});
