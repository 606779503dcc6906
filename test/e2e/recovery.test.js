// Every valid row stored exactly once through what stops a run part-way: batches under faults, outages
// short and long, a daily quota, kill -9 at random points; and --resume picking up after each.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { awayFromMidnight, lineCount, readNdjson, runCli, startCli, startServe, tempDir, waitFor, withServe } from '../helpers/cli.js';
import { ROWS, assertExactlyOnce, writeRows } from '../helpers/exactly-once.js';

describe('exactly once through outages, quotas, crashes and resumes', { concurrency: 1 }, () => {
  test('batch mode under faults: re-sent batches store nothing twice', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    await withServe(['--store', store, '--seed', '3', '--accept-then-fail', '0.3', '--fail-rate', '0.2', '--drop-rate', '0.1'], async (server) => {
      const file = writeRows(dir);
      const result = await runCli(['submit', '-e', server.url, '--batch-size', '100', '--rate', '0', '--retries', '12', '--timeout', '2s', file], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assertExactlyOnce(dir, store);
    });
  });

  test('a short outage: the client probes instead of failing rows, then finishes', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    await withServe(['--store', store, '--latency', '2ms', '--outage', '300ms:1500ms'], async (server) => {
      const file = writeRows(dir);
      const result = await runCli(['submit', '--batch-size', '1', '-e', server.url, '--concurrency', '8', '--rate', '0', '--retries', '2', '--timeout', '1s', file], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /failed\s+0\n/, 'nobody ran out of retries during the outage');
      assertExactlyOnce(dir, store);
    });
  });

  test('an outage longer than --max-outage aborts with exit 3; --resume later completes', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    // A real outage, begun once the run is under way: serve is stopped after it has stored some rows
    // (the event, not a time), and started again on the same port once the run has given up.
    const first = await startServe(['--store', store, '--latency', '20ms']);
    const port = new URL(first.url).port;
    let second;
    try {
      const file = writeRows(dir);
      const run = runCli(['submit', '--batch-size', '1', '-e', first.url, '--concurrency', '8', '--rate', '0', '--timeout', '1s', '--max-outage', '1s', file], { cwd: dir });
      await waitFor(() => lineCount(store) >= 50, 'serve to store 50 rows');
      await first.stop();
      const aborted = await run;
      assert.equal(aborted.code, 3, aborted.stderr);
      assert.match(aborted.stderr, /aborted: every request has failed for .*--max-outage 1\.0s.*--resume/);
      const partial = readNdjson(join(dir, 'rows.csv.report.ndjson'));
      assert.ok(partial.length < ROWS, 'rows never sent are not in the report');
      assert.ok(partial.filter((l) => l.status === 'accepted').length >= 50, 'what was stored before the outage is in the report');
      assert.ok(partial.filter((l) => l.status === 'failed').length <= 16, 'only rows in flight are marked failed');
      second = await startServe(['--store', store, '--port', port]);
      const resumed = await runCli(['submit', '--batch-size', '1', '-e', second.url, '--resume', '--rate', '0', file], { cwd: dir });
      assert.equal(resumed.code, 1, resumed.stderr);
      assert.match(resumed.stderr, /skipped\s+\d+ \(done in an earlier run\)/);
      assertExactlyOnce(dir, store);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  test('daily quota: stops with exit 3 instead of failing every row; the next day --resume completes', async () => {
    // In the last minutes of the UTC day serve's 429 says to retry after midnight, within the client's backoff cap.
    await awayFromMidnight(7 * 60_000);
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    const file = writeRows(dir);
    await withServe(['--store', store, '--daily-quota', '1200'], async (first) => {
      const result = await runCli(['submit', '--batch-size', '1', '-e', first.url, '--rate', '0', file], { cwd: dir });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /quota is used up until .* UTC .*--resume/);
    });
    const nextDay = await startServe(['--store', store, '--daily-quota', '5000']); // a restart stands in for 00:00 UTC
    try {
      const result = await runCli(['submit', '--batch-size', '1', '-e', nextDay.url, '--rate', '0', '--resume', file], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assertExactlyOnce(dir, store);
    } finally {
      await nextDay.stop();
    }
  });

  test('kill -9 at random points, then --resume until done: exactly once, report valid NDJSON', async () => {
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    await withServe(['--store', store, '--latency', '2ms:4ms', '--accept-then-fail', '0.05'], async (server) => {
      const file = writeRows(dir);
      let seed = 12345;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < 4; i++) {
        const { child, exited: closed } = startCli(['submit', '--batch-size', '1', '-e', server.url, '--resume', '--rate', '0', '--concurrency', '8', file], { cwd: dir, stdio: 'ignore' });
        // Killed mid-flight: once serve has stored a random number more rows (not after a fixed time).
        const target = lineCount(store) + 20 + Math.floor(random() * 300);
        await Promise.race([waitFor(() => lineCount(store) >= target, `serve to store ${target} rows`), closed]);
        child.kill('SIGKILL');
        await closed;
      }
      const final = await runCli(['submit', '--batch-size', '1', '-e', server.url, '--resume', '--rate', '0', file], { cwd: dir });
      assert.equal(final.code, 1, final.stderr);
      for (const line of readFileSync(join(dir, 'rows.csv.report.ndjson'), 'utf8').trim().split('\n')) JSON.parse(line);
      assertExactlyOnce(dir, store);
    });
  });

  test('--resume refuses a report that describes other files; with no report it simply starts', async () => {
    const dir = tempDir();
    await withServe([], async (server) => {
      writeFileSync(join(dir, 'a.ndjson'), '{"externalConversationId":"a-1"}\n');
      writeFileSync(join(dir, 'b.ndjson'), '{"externalConversationId":"b-1"}\n');
      const fresh = await runCli(['submit', '-e', server.url, '--resume', '--report', 'r.ndjson', 'a.ndjson'], { cwd: dir });
      assert.equal(fresh.code, 0, fresh.stderr);
      const other = await runCli(['submit', '-e', server.url, '--resume', '--report', 'r.ndjson', 'b.ndjson'], { cwd: dir });
      assert.equal(other.code, 2);
      assert.match(other.stderr, /the report describes "a\.ndjson", not the files given/);
      // A torn last line (killed mid-write) is cut off before appending.
      writeFileSync(join(dir, 'r.ndjson'), `${readFileSync(join(dir, 'r.ndjson'), 'utf8')}{"file":"a.ndj`);
      const again = await runCli(['submit', '-e', server.url, '--resume', '--report', 'r.ndjson', 'a.ndjson'], { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /skipped\s+1/);
      assert.equal(readNdjson(join(dir, 'r.ndjson')).length, 1);
    });
  });
});
