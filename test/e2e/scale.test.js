// Sharding and batch mode at a few thousand rows against one serve.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, readStore, ROOT, runCli, startCli, startServe, tempDir, waitFor, withServe } from '../helpers/cli.js';

function rows(n) {
  const lines = ['External Conversation ID,Platform,Company Segment,attr.n'];
  for (let i = 1; i <= n; i++) lines.push(i % 499 === 0 ? `bad id ${i},WEB,Sales,${i}` : `s-${i},WEB,Sales;Support,${i}`);
  return `${lines.join('\n')}\n`;
}

test('4 shards at once: their reports cover every row once and the store holds each record once', async () => {
  const dir = tempDir();
  const store = join(dir, 'store.ndjson');
  await withServe(['--store', store], async (server) => {
    writeFileSync(join(dir, 'in.csv'), rows(2000));
    const runs = await Promise.all(
      [0, 1, 2, 3].map((k) => runCli(['submit', '-e', server.url, '--shard', `${k}/4`, '--report', `shard-${k}.ndjson`, '--batch-size', '50', 'in.csv'], { cwd: dir })),
    );
    for (const run of runs) assert.equal(run.code, 1, run.stderr); // each shard holds one of the 4 invalid rows
    const lines = [0, 1, 2, 3].flatMap((k) => readNdjson(join(dir, `shard-${k}.ndjson`)).map((l) => ({ ...l, shard: k })));
    assert.equal(lines.length, 2000);
    assert.equal(new Set(lines.map((l) => l.row)).size, 2000, 'every row exactly once');
    for (const line of lines) assert.equal(line.row % 4, line.shard);
    assert.equal(lines.filter((l) => l.status === 'invalid').length, 4);
    const stored = readStore(store).map((s) => s.record);
    assert.equal(stored.length, 1996);
    assert.equal(new Set(stored.map((r) => r.externalConversationId)).size, 1996);
    assert.deepEqual(new Set(stored.map((r) => r.eventId)), new Set(lines.filter((l) => l.status === 'accepted').map((l) => l.eventId)));
  });
});

test('batch mode against serve: a re-sent batch never stores twice', async () => {
  const dir = tempDir();
  const store = join(dir, 'store.ndjson');
  await withServe(['--store', store], async (server) => {
    writeFileSync(join(dir, 'in.csv'), rows(1200));
    const first = await runCli(['submit', '-e', server.url, '--batch-size', '1000', 'in.csv'], { cwd: dir });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /requests\s+2\n/);
    const again = await runCli(['submit', '-e', server.url, '--batch-size', '300', 'in.csv', '--force'], { cwd: dir });
    assert.equal(again.code, 1);
    const report = readNdjson(join(dir, 'in.csv.report.ndjson'));
    assert.equal(report.filter((l) => l.status === 'accepted').length, 1198);
    assert.equal(readStore(store).length, 1198);
  });
});

test('validate tells how many requests the run will need at its batch size', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'in.csv'), rows(2500));
  const result = await runCli(['validate', 'in.csv', '--batch-size', '1000', '--json'], { cwd: dir });
  assert.equal(result.code, 1);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.valid, 2495);
  assert.equal(summary.plannedRequests, 3);
  const plain = await runCli(['submit', '--dry-run', 'in.csv', '--batch-size', '1', '--force', '--report', 'r.ndjson'], { cwd: dir });
  assert.match(plain.stderr, /sending the valid rows needs 2495 requests \(--batch-size 1\)/);
});

for (const format of ['csv', 'ndjson']) {
  test(`a slow trickle of ${format} on stdin flows: each row is stored while stdin is still open`, async () => {
    const dir = tempDir();
    const store = join(dir, 'store.ndjson');
    const server = await startServe(['--store', store]);
    const { child, exited } = startCli(['submit', '-e', server.url, '--format', format, '--batch-size', '100', '--batch-wait', '100ms', '--report', 'r.ndjson', '-'], { cwd: dir });
    try {
      if (format === 'csv') child.stdin.write('External Conversation ID,Platform\n');
      for (let i = 1; i <= 3; i++) {
        child.stdin.write(format === 'csv' ? `trickle-${i},WEB\n` : `{"externalConversationId":"trickle-${i}","platform":"WEB"}\n`);
        // Far fewer rows than a batch or a chunk, and (for CSV) no next line for the parser to look at:
        // only the time-based flushes can send them.
        await waitFor(() => readStore(store).length >= i, `row ${i} to be stored while stdin is still open`);
      }
      child.stdin.end();
      assert.equal((await exited).code, 0);
      const report = readNdjson(join(dir, 'r.ndjson'));
      assert.deepEqual(report.map((l) => [l.line, l.status]), format === 'csv' ? [[2, 'accepted'], [3, 'accepted'], [4, 'accepted']] : [[1, 'accepted'], [2, 'accepted'], [3, 'accepted']]);
    } finally {
      child.kill();
      await server.stop();
    }
  });
}

test('the bundled kinds batch 1000 rows a request by default; a custom --schema sends one row a request', async () => {
  const dir = tempDir();
  const store = join(dir, 'store.ndjson');
  await withServe(['--store', store], async (server) => {
    writeFileSync(join(dir, 'in.csv'), rows(1500));
    const batched = await runCli(['submit', '-e', server.url, 'in.csv', '--report', 'a.ndjson'], { cwd: dir });
    assert.equal(batched.code, 1, batched.stderr);
    assert.match(batched.stderr, /requests\s+2\n/, '1497 valid rows in batches of 1000');
    const planned = await runCli(['validate', 'in.csv', '--json'], { cwd: dir });
    assert.equal(JSON.parse(planned.stdout).batchSize, 1000);
    assert.equal(JSON.parse(planned.stdout).plannedRequests, 2);
    const custom = await runCli(['submit', '-e', server.url, 'in.csv', '--schema', join(ROOT, 'schemas', 'conversation-metadata.schema.json'), '--rate', '0', '--report', 'b.ndjson'], { cwd: dir });
    assert.equal(custom.code, 1, custom.stderr);
    assert.match(custom.stderr, /requests\s+1497\n/);
    assert.equal(readStore(store).length, 1497, 'the second run re-sent the same eventIds: nothing stored twice');
  });
});
