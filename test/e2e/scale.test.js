// Sharding and batch mode at a few thousand rows against one serve.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, readStore, runCli, startServe, tempDir } from '../helpers/cli.js';

function rows(n) {
  const lines = ['External Conversation ID,Platform,Company Segment,attr.n'];
  for (let i = 1; i <= n; i++) lines.push(i % 499 === 0 ? `bad id ${i},WEB,Sales,${i}` : `s-${i},WEB,Sales;Support,${i}`);
  return `${lines.join('\n')}\n`;
}

test('4 shards at once: their reports cover every row once and the store holds each record once', async () => {
  const dir = tempDir();
  const store = join(dir, 'store.ndjson');
  const server = await startServe(['--store', store]);
  try {
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
  } finally {
    await server.stop();
  }
});

test('batch mode against serve: a re-sent batch never stores twice', async () => {
  const dir = tempDir();
  const store = join(dir, 'store.ndjson');
  const server = await startServe(['--store', store]);
  try {
    writeFileSync(join(dir, 'in.csv'), rows(1200));
    const first = await runCli(['submit', '-e', server.url, '--batch-size', '1000', 'in.csv'], { cwd: dir });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /requests\s+2\n/);
    const again = await runCli(['submit', '-e', server.url, '--batch-size', '300', 'in.csv', '--force'], { cwd: dir });
    assert.equal(again.code, 1);
    const report = readNdjson(join(dir, 'in.csv.report.ndjson'));
    assert.equal(report.filter((l) => l.status === 'accepted').length, 1198);
    assert.equal(readStore(store).length, 1198);
  } finally {
    await server.stop();
  }
});

test('validate tells how many requests the run will need at its batch size', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'in.csv'), rows(2500));
  const result = await runCli(['validate', 'in.csv', '--batch-size', '1000', '--json'], { cwd: dir });
  assert.equal(result.code, 1);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.valid, 2495);
  assert.equal(summary.plannedRequests, 3);
  const plain = await runCli(['submit', '--dry-run', 'in.csv', '--force', '--report', 'r.ndjson'], { cwd: dir });
  assert.match(plain.stderr, /sending the valid rows needs 2495 requests \(--batch-size 1\)/);
});
