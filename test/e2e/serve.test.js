// `bulk-submit serve` answers as the API's contract says.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { readStore, startServe, tempDir } from '../helpers/cli.js';

let server;
let store;
const keys = { 'asapp-api-id': 'id-1', 'asapp-api-secret': 'secret-1', 'content-type': 'application/json' };
before(async () => {
  store = join(tempDir(), 'store.ndjson');
  server = await startServe(['--store', store, '--api-id', 'id-1', '--api-secret', 'secret-1']);
});
after(async () => {
  const { stderr } = await server.stop();
  assert.match(stderr, /stopped after \d+ requests \(.*401: 1.*\); stored 4 records, refused 3 invalid, 2 duplicates/);
});

async function post(path, body, headers = keys) {
  const response = await request(`${server.url}/metadata-ingestion/v1/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.statusCode, body: await response.body.json() };
}

test('401 without the keys', async () => {
  const { status, body } = await post('single-convo-metadata', { externalConversationId: 'x' }, { 'content-type': 'application/json' });
  assert.equal(status, 401);
  assert.equal(body.error.code, '401-01');
});

test('single: stored with a generated eventId, 409 for the same eventId, 400 FAIL_BAD_PARAMS for an invalid record', async () => {
  const created = await post('single-convo-metadata', { externalConversationId: 'serve-1' });
  assert.equal(created.status, 200);
  assert.equal(created.body.result.error, '');
  assert.match(created.body.result.eventId, /^[0-9a-f-]{36}$/);
  const own = await post('single-agent-metadata', { externalAgentId: 'ag-1', eventId: 'evt-1' });
  assert.deepEqual(own.body, { result: { eventId: 'evt-1', error: '' } });
  const again = await post('single-agent-metadata', { externalAgentId: 'ag-1', eventId: 'evt-1' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, '409-01');
  const invalid = await post('single-customer-metadata', { externalConversationId: 'c' });
  assert.equal(invalid.status, 400);
  assert.match(invalid.body.result.error, /^FAIL_BAD_PARAMS: ERROR: externalCustomerId: is required$/);
  const stored = readStore(store);
  assert.deepEqual(stored.find((s) => s.record.eventId === 'evt-1'), { kind: 'agent', storedAt: stored.find((s) => s.record.eventId === 'evt-1').storedAt, record: { externalAgentId: 'ag-1', eventId: 'evt-1' } });
});

test('many: per-item results, 200 when any item is ingested, 400 when none', async () => {
  const some = await post('many-convo-metadata', { items: [{ externalConversationId: 'm-1', eventId: 'm-1' }, { externalConversationId: 'bad id', eventId: 'm-2' }, { externalConversationId: 'm-3', eventId: 'evt-1x' }] });
  assert.equal(some.status, 200);
  assert.equal(some.body.errorCount, 1);
  assert.deepEqual(some.body.results.map((r) => r.eventId), ['m-1', 'm-2', 'evt-1x']);
  assert.match(some.body.results[1].error, /^FAIL_BAD_PARAMS: ERROR: externalConversationId: must match/);
  const none = await post('many-convo-metadata', { items: [{ lobId: 'x' }] });
  assert.equal(none.status, 400);
  assert.equal(none.body.errorCount, 1);
  const again = await post('many-convo-metadata', { items: [{ externalConversationId: 'm-1', eventId: 'm-1' }] });
  assert.deepEqual(again.body, { errorCount: 0, results: [{ eventId: 'm-1', error: '' }] }, 'an already stored item is an idempotent success');
  const empty = await post('many-convo-metadata', { items: [] });
  assert.equal(empty.status, 400);
});

test('unknown paths are 404', async () => {
  const { status } = await post('single-nothing-metadata', {});
  assert.equal(status, 404);
});
