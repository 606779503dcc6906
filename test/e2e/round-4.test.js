// What a new user found, round 4 (issue 26): a .gz from a plain HTTP/1.0 file server, failures part-way
// that still write every output truthfully, an endpoint down from the start, the --max-errors line (in
// error-budget.test.js), a full disk whose counts agree, and the progress of a remote .gz.
import assert from 'node:assert/strict';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { generate } from '../../bench/generate.js';
import { BIN, readNdjson, runCli, SAMPLES, startStoringServe, tempDir, withServe } from '../helpers/cli.js';
import { startHttp10 } from '../helpers/http10-server.js';

/** A generated conversations CSV of `rows` rows, gzipped: { plain, gz } paths. */
async function generated(dir, rows) {
  const plain = join(dir, `gen-${rows}.csv`);
  await new Promise((resolve, reject) => {
    const out = createWriteStream(plain);
    out.on('finish', resolve).on('error', reject);
    generate(rows, out);
  });
  const gz = `${plain}.gz`;
  writeFileSync(gz, gzipSync(readFileSync(plain)));
  return { plain, gz };
}

test('a .gz from an HTTP/1.0 file server (the whole file, then the connection closed) reads to the end: validate, submit and report --inputs', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  const { gz } = await generated(dir, 60_000);
  const files = await startHttp10({ '/big.csv.gz': readFileSync(gz) });
  const url = `${files.url}/big.csv.gz`;
  try {
    const validated = await runCli(['validate', url, '--report', 'v.ndjson', '--json'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(validated.code, 0, validated.stderr);
    assert.equal(JSON.parse(validated.stdout).valid, 60_000);
    const serve = await startStoringServe();
    try {
      const submitted = await runCli(['submit', url, '-e', serve.url, '--rate', '0', '--report', 's.ndjson', '--json'], { cwd: dir, timeoutMs: 120_000 });
      assert.equal(submitted.code, 0, submitted.stderr);
      assert.equal(JSON.parse(submitted.stdout).accepted, 60_000);
    } finally {
      await serve.stop();
    }
    const audit = await runCli(['report', '--inputs', url, 's.ndjson'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /complete: every row of 1 input \(60000 rows\) accepted exactly once/);
  } finally {
    await files.close();
  }
});

test('a run that fails part-way (a preparing thread dies) still prints --json and writes --summary, the metrics and the page, with the rows it did', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const { plain } = await generated(dir, 20_000);
  // Over 1 MiB, so rows are prepared on threads of their own; the transform throws out of a timer after 6000 rows.
  writeFileSync(join(dir, 'boom.mjs'), "let n = 0;\nexport default (record) => {\n  if (++n === 6000) setTimeout(() => { throw new Error('the transform blew up'); });\n  return record;\n};\n");
  await withServe([], async (serve) => {
    const outputs = ['--json', '--summary', 'run.json', '--metrics-file', 'run.prom', '--html', 'run.html'];
    const run = await runCli(['submit', plain, '-e', serve.url, '--transform', 'boom.mjs', '--report', 'r.ndjson', ...outputs], { cwd: dir, timeoutMs: 90_000 });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /bulk-submit: aborted: the run failed part-way: the transform blew up; the report holds every row done: run again with --resume/);
    const accepted = readNdjson(join(dir, 'r.ndjson')).filter((l) => l.status === 'accepted').length;
    assert.ok(accepted > 0);
    const json = JSON.parse(run.stdout);
    assert.deepEqual([json.accepted, json.exitCode, json.aborted.code], [accepted, 3, 'BULK_RUN_FAILED']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')), json);
    assert.match(readFileSync(join(dir, 'run.prom'), 'utf8'), new RegExp(`bulk_submit_rows\\{status="accepted",[^}]*\\} ${accepted}\\n`));
    const page = readFileSync(join(dir, 'run.html'), 'utf8');
    assert.doesNotMatch(page, /the run did not start/);
    assert.match(page, /aborted: the run failed part-way/);
  });
});

test('an endpoint down from the start is an outage: the run probes, then stops with exit 3 after --max-outage, whatever the row count', async () => {
  const cwd = tempDir();
  // Port 9 (discard): nothing listens on 127.0.0.1 there.
  for (const batch of [[], ['--batch-size', '1']]) {
    const run = await runCli(['submit', join(SAMPLES, 'conversations.csv'), '-e', 'http://127.0.0.1:9', '--max-outage', '2s', '--report', 'down.ndjson', '--force', ...batch], { cwd });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /aborted: every request has failed for \d+\.\ds \(--max-outage 2\.0s; last: connect ECONNREFUSED 127\.0\.0\.1:9/);
  }
});

test('https:// to a port that speaks plain http says the server does not speak TLS there, and stops at once', async () => {
  await withServe([], async (serve) => {
    const run = await runCli(['submit', join(SAMPLES, 'conversations.csv'), '-e', serve.url.replace('http:', 'https:'), '--report', 'tls.ndjson'], { cwd: tempDir() });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /aborted: TLS: the server does not speak TLS on that port \(ERR_SSL_WRONG_VERSION_NUMBER\): is the URL http:\/\/ rather than https:\/\//);
    assert.doesNotMatch(run.stderr, /ssl3_get_record/);
  });
});

test('a full disk: the summary, the metrics and the stop line say what the report holds, and how many rows were sent but not recorded', { skip: process.platform === 'linux' ? false : 'ulimit -f is how the test fills the disk' }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), Array.from({ length: 10_000 }, (_, i) => `{"externalConversationId":"full-${i}"}\n`).join(''));
  await withServe([], async (serve) => {
    // A file-size limit of 256 KiB: the report fills it part-way through a write, as a disk fills.
    const { spawnSync } = await import('node:child_process');
    const args = ['submit', 'in.ndjson', '-e', serve.url, '--rate', '0', '--report', 'full.ndjson', '--json', '--metrics-file', 'full.prom'];
    const run = spawnSync('bash', ['-c', `ulimit -f 256; exec "${process.execPath}" "${BIN}" "$@"`, 'bash', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 60_000 });
    assert.equal(run.status, 3, run.stderr);
    const lines = readFileSync(join(cwd, 'full.ndjson'), 'utf8').split('\n').slice(0, -1);
    const inReport = lines.filter((l) => l.includes('"status":"accepted"')).length;
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.accepted, inReport, 'accepted: the lines that reached the file');
    assert.equal(summary.rows, lines.length, 'rows: the lines the report holds');
    const sent = /(\d[\d,]*) rows were sent but not recorded/.exec(summary.aborted.message);
    assert.ok(sent, summary.aborted.message);
    assert.equal(Number(sent[1].replace(/,/g, '')), summary.unrecorded, 'the stop line counts the rows done the report lacks');
    assert.match(readFileSync(join(cwd, 'full.prom'), 'utf8'), new RegExp(`bulk_submit_rows\\{status="accepted",[^}]*\\} ${inReport}\\n`));
    assert.match(readFileSync(join(cwd, 'full.prom'), 'utf8'), new RegExp(`bulk_submit_rows\\{status="unrecorded",[^}]*\\} ${summary.unrecorded}\\n`));
  });
});

test('the progress % of a .gz read over HTTP follows the rows done, not the bytes downloaded ahead of them', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const { gz } = await generated(dir, 40_000);
  const files = await startHttp10({ '/day.csv.gz': readFileSync(gz) });
  try {
    await withServe(['--latency', '40ms'], async (serve) => {
      const run = await runCli(['submit', `${files.url}/day.csv.gz`, '-e', serve.url, '--batch-size', '200', '--concurrency', '2', '--rate', '0', '--progress-interval', '200ms'], { cwd: dir, timeoutMs: 150_000 });
      assert.equal(run.code, 0, run.stderr);
      const lines = [...run.stderr.matchAll(/bulk-submit: ([\d,]+) rows · (\d+)%/g)].map((m) => ({ done: Number(m[1].replace(/,/g, '')), percent: Number(m[2]) }));
      const midway = lines.filter((l) => l.done > 2000 && l.done < 38_000);
      assert.ok(midway.length >= 3, run.stderr);
      if (process.env.SHOW_DEVIATION) console.error(midway.map(({ done, percent }) => (percent - (done * 100) / 40_000).toFixed(1)).join(" "));
      for (const { done, percent } of midway) assert.ok(Math.abs(percent - (done * 100) / 40_000) <= 6, `${done} rows but ${percent}%: ${run.stderr}`);
    });
  } finally {
    await files.close();
  }
});
