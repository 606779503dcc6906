// A user's own --schema, written from the API documentation: its published patterns must work, in a plain
// run and in a --map-driven one, against the real `serve`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, readStore, ROOT, runCli, tempDir, withServe } from '../helpers/cli.js';

const fixtures = join(ROOT, 'test', 'fixtures', 'api-patterns');
const schema = join(fixtures, 'customer.schema.json');

test('a --schema with the API\'s own patterns (\\_, \\@) validates rows instead of refusing the schema', async () => {
  const cwd = tempDir();
  const result = await runCli(['validate', '--kind', 'customer', '--schema', schema, '--map', join(fixtures, 'map.json'), join(fixtures, 'export.csv'), '--report', 'v.ndjson'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /not a valid JSON Schema/);
  const byRow = new Map(readNdjson(join(cwd, 'v.ndjson')).map((l) => [l.row, l]));
  assert.equal(byRow.get(1).status, 'valid', 'LEG_0001, jo.e@corp.example and user_1 match');
  assert.equal(byRow.get(2).error, 'externalConversationId: must match ^[a-zA-Z0-9\\-\\_]+$ (got "LEG 0002")');
  assert.equal(byRow.get(3).error, 'externalCustomerId: must match ^[a-zA-Z0-9\\-\\_\\.\\@]+$ (got "jo e")');
});

test('a --map-driven submit with that schema sends the valid row to serve', async () => {
  const cwd = tempDir();
  const store = join(cwd, 'store.ndjson');
  await withServe(['--store', store], async (server) => {
    const result = await runCli(['submit', '-e', server.url, '--kind', 'customer', '--schema', schema, '--map', join(fixtures, 'map.json'), join(fixtures, 'export.csv'), '--report', 'r.ndjson'], { cwd });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /accepted\s+1\n/);
    const stored = readStore(store).map((s) => s.record);
    assert.deepEqual(stored.map((r) => [r.externalConversationId, r.externalCustomerId, r.userId]), [['LEG_0001', 'jo.e@corp.example', 'user_1']]);
    assert.deepEqual(readStore(store).map((s) => s.kind), ['customer']);
  });
});
