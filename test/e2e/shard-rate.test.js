// Shards share the API's spike arrest and its daily quota: with --shard K/N the default rate is the total
// divided by N, and validate / --dry-run say what the whole backfill needs, warning past the quota.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { ok, withScripted } from '../helpers/scripted-server.js';

function rows(n) {
  return `${Array.from({ length: n }, (_, i) => `{"externalConversationId":"q-${i + 1}"}`).join('\n')}\n`;
}

test('--shard 0/4 without --rate sends at most 25 requests a second (the default 100 shared by 4); --rate still means this process', async () => {
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(80));
    const shared = await runCli(['submit', '-e', server.url, '--shard', '0/4', '--batch-size', '1', '--concurrency', '8', '--json', 'in.ndjson'], { cwd });
    assert.equal(shared.code, 0, shared.stderr);
    assert.deepEqual(JSON.parse(shared.stdout).rate, { perSecond: 25, by: 'shards', total: 100, shards: 4 });
    assert.match(shared.stderr, /^ {2}rate {6}at most 25 requests\/s: the default 100 shared by 4 shards \(--rate sets this process's own\)$/m);
    // 20 requests at 25 a second take at least 19 × 40 ms from the first to the last (at 100 a second, 190 ms).
    const times = server.requests.map((r) => r.at);
    assert.equal(times.length, 20);
    assert.ok(times[19] - times[0] >= 600, `20 requests came within ${Math.round(times[19] - times[0])} ms`);

    const own = await runCli(['submit', '-e', server.url, '--shard', '0/4', '--rate', '50', '--batch-size', '1', '--json', '--force', 'in.ndjson'], { cwd });
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual(JSON.parse(own.stdout).rate, { perSecond: 50, by: 'option' });
    assert.doesNotMatch(own.stderr, /shared by/);
  });
});

test('validate with --shard says the whole backfill\'s requests beside this shard\'s', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), rows(90));
  const result = await runCli(['validate', '--shard', '1/3', '--batch-size', '10', '--json', 'in.ndjson'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.plannedRequests, 3);
  assert.deepEqual(summary.plannedBackfill, { shards: 3, requests: 9 });
  assert.match(result.stderr, /sending the valid rows needs 3 requests \(--batch-size 10\)\n {2}the whole backfill needs about 9 requests \(3 shards like this one\)/);
  assert.doesNotMatch(result.stderr, /warning/);
});

test('--dry-run warns when the whole backfill needs more requests than the daily quota in production', async () => {
  const cwd = tempDir();
  // Shard 0 of 1,000 holds 51 rows: the 1,000 shards need about 51,000 single-row requests.
  writeFileSync(join(cwd, 'in.ndjson'), rows(51_000));
  const result = await runCli(['submit', '--dry-run', '--shard', '0/1000', '--batch-size', '1', 'in.ndjson'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /the whole backfill needs about 51000 requests \(1000 shards like this one\)/);
  assert.match(result.stderr, /^bulk-submit: warning: the whole backfill needs about 51000 requests, more than the API's daily quota \(50,000 in production by default, 10,000 in sandbox\)/m);
  const one = await runCli(['submit', '--dry-run', '--shard', '0/1000', '--batch-size', '1000', '--force', 'in.ndjson'], { cwd });
  assert.equal(one.code, 0, one.stderr);
  assert.doesNotMatch(one.stderr, /warning/, '1,000 requests in all is within the quota');
});
