// RowPreparer with a transform: what the transform is given, when it runs, what its result comes to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowPreparer } from '../../dist/prepare/row-preparer.js';
import { loadSchema, validatorFor } from '../../dist/schema/index.js';

const agent = await loadSchema({ kind: 'agent' });
const open = { schema: { type: 'object', properties: { eventId: { type: 'string' }, at: { type: 'string', format: 'date-time' } } }, file: 'open.json', bundled: false };

/** A preparer for `schema` with `transform`, one CSV input (`header`) and one NDJSON input. */
async function preparer(transform, { schema = agent, header = ['External Agent ID', 'Agent Notes', '_eventId'], sending = true } = {}) {
  const settings = { schema, coerce: false, eventIds: 'content', idScope: 'conversation', sending };
  const rows = new RowPreparer(settings, { validate: await validatorFor(schema), transform, zone: undefined });
  rows.plan(0, 'in.csv', header);
  rows.plan(1, 'in.ndjson', null);
  return rows;
}
const csvRow = (row, cells) => ({ row, line: row + 1, cells, value: undefined, error: null });
const jsonRow = (row, value) => ({ row, line: row, cells: null, value, error: null });

test('the transform gets the mapped record and the row: file, line, row, cells by header (CSV) or the parsed value (NDJSON)', async () => {
  const seen = [];
  const rows = await preparer((record, row) => (seen.push({ record, row }), record));
  rows.prepare(0, csvRow(4, ['a-1', 'likes tea', '']));
  const value = { externalAgentId: 'a-2', _note: 'x' };
  rows.prepare(1, jsonRow(7, value));
  assert.deepEqual(seen[0], { record: { externalAgentId: 'a-1' }, row: { file: 'in.csv', line: 5, row: 4, cells: { 'External Agent ID': 'a-1', 'Agent Notes': 'likes tea', _eventId: '' } } });
  assert.deepEqual(seen[1], { record: { externalAgentId: 'a-2' }, row: { file: 'in.ndjson', line: 7, row: 7, cells: value } });
  assert.notEqual(seen[1].record, value, 'an NDJSON record is a copy: the input value stays as read');
});

test('a sync transform gives a fate at once (no promise); an async one, a promise of it', async () => {
  const sync = await preparer((record) => record);
  assert.equal(sync.prepare(0, csvRow(1, ['a-1', '', ''])).fate, 'send');
  const async = await preparer(async (record) => record);
  const pending = async.prepare(0, csvRow(1, ['a-1', '', '']));
  assert.ok(pending instanceof Promise);
  assert.equal((await pending).fate, 'send');
  const thenable = await preparer(() => ({ then: (resolve) => resolve(null) }));
  assert.deepEqual(await thenable.prepare(0, csvRow(1, ['a-1', '', ''])), { fate: 'dropped' }, 'any thenable is awaited');
});

test('eventId and digest come from the record the transform returned; a carried _eventId is kept when it sets none', async () => {
  const rows = await preparer((record, row) => ({ ...record, agentName: row.cells['Agent Notes'] }));
  const plain = await preparer((record) => record);
  const a = rows.prepare(0, csvRow(1, ['a-1', 'Ann', '']));
  const b = plain.prepare(0, csvRow(1, ['a-1', 'Ann', '']));
  assert.notEqual(a.digest, b.digest);
  assert.match(a.json, /"agentName":"Ann"/);
  assert.notEqual(a.eventId, b.eventId, 'the generated eventId is made from the transformed record');
  const carried = rows.prepare(0, csvRow(2, ['a-2', 'Bo', 'prev-7']));
  assert.equal(carried.eventId, 'prev-7');
  assert.match(carried.json, /^\{"externalAgentId":"a-2","agentName":"Bo","eventId":"prev-7"\}$/);
});

test('a row whose cells do not convert is invalid without calling the transform; a throw carries the carried eventId', async () => {
  let calls = 0;
  const schema = { schema: { type: 'object', properties: { eventId: { type: 'string' }, n: { type: 'integer' } } }, file: 'n.json', bundled: false };
  const rows = await preparer(() => (calls++, null), { schema, header: ['n'] });
  assert.deepEqual(rows.prepare(0, csvRow(1, ['x'])), { fate: 'invalid', error: 'n: must be an integer (got "x")', eventId: null });
  assert.equal(calls, 0);
  const throws = await preparer(() => {
    throw new TypeError('bad\nthing');
  });
  assert.deepEqual(throws.prepare(0, csvRow(1, ['a-1', '', 'prev-1'])), { fate: 'invalid', error: 'transform: bad thing', eventId: 'prev-1' });
  assert.deepEqual(await (await preparer(() => Promise.reject('plain text'))).prepare(0, csvRow(1, ['a-1', '', ''])), { fate: 'invalid', error: 'transform: plain text', eventId: null });
});

test('a record that cannot be written as JSON (a BigInt, a cycle) makes its row invalid, not the run fail', async () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const rows = await preparer((record, row) => ({ ...record, at: '2024-01-05T10:00:00Z', extra: row.row === 1 ? 1n : cyclic }), { schema: open, header: ['eventId'] });
  assert.match(rows.prepare(0, csvRow(1, ['e-1'])).error, /^transform: the record cannot be written as JSON: Do not know how to serialize a BigInt/);
  const second = rows.prepare(0, csvRow(2, ['e-2']));
  assert.equal(second.fate, 'invalid');
  assert.equal(second.eventId, 'e-2');
});

test('date-times are read after the transform: what it returns is normalised as a cell would be', async () => {
  const rows = await preparer((record) => ({ ...record, at: '2024-01-05 10:22+01' }), { schema: open, header: ['eventId'] });
  assert.match(rows.prepare(0, csvRow(1, ['e-1'])).json, /"at":"2024-01-05T10:22:00\+01:00"/);
});

test('with a transform, a column that matches no property is left to it; without one, refused', async () => {
  const header = ['External Agent ID', 'Legacy Code'];
  await assert.doesNotReject(async () => (await preparer((r) => r, { header })).plan(2, 'x.csv', header));
  const plain = await preparer(undefined, { header: ['External Agent ID'] });
  assert.throws(() => plain.plan(2, 'x.csv', header), { code: 'BULK_HEADER_UNKNOWN' });
});
