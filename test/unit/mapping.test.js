import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsOf, mapCells, mapObject, resolveHeader } from '../../dist/mapping/index.js';
import { loadSchema } from '../../dist/schema/index.js';

const conversation = fieldsOf((await loadSchema({ kind: 'conversation' })).schema);
const agent = fieldsOf((await loadSchema({ kind: 'agent' })).schema);

test('headers match exactly, then loosely (case, spaces, _ - .)', () => {
  const columns = resolveHeader(['externalConversationId', 'Device Type', 'company_segment', 'browser-version', 'LOB.ID'], conversation, 'f.csv');
  assert.deepEqual(
    columns.map((c) => c.field.name),
    ['externalConversationId', 'deviceType', 'companySegment', 'browserVersion', 'lobId'],
  );
});

test('attr.* columns, _ columns and _eventId', () => {
  const columns = resolveHeader(['External Conversation ID', 'attr.channel', '_note', '_eventId'], conversation, 'f.csv');
  assert.deepEqual(columns.map((c) => c.target), ['property', 'attribute', 'ignore', 'previousEventId']);
  const mapped = mapCells(columns, ['c-1', 'chat', 'ignored', 'bs-abc']);
  assert.deepEqual(mapped.record, { externalConversationId: 'c-1', attributes: [{ name: 'channel', value: 'chat' }] });
  assert.equal(mapped.previousEventId, 'bs-abc');
});

test('an unknown header is refused, naming the closest property', () => {
  assert.throws(
    () => resolveHeader(['External Conversation ID', 'Devise Type', 'Plattform'], conversation, 'f.csv'),
    (error) => {
      assert.equal(error.code, 'BULK_HEADER_UNKNOWN');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /"Devise Type" \(closest property: deviceType\)/);
      assert.match(error.message, /"Plattform" \(closest property: platform\)/);
      return true;
    },
  );
});

test('two columns onto one property, and an empty header name, are refused', () => {
  assert.throws(() => resolveHeader(['Device Type', 'device_type'], conversation, 'f.csv'), { code: 'BULK_HEADER_DUPLICATE' });
  assert.throws(() => resolveHeader(['Device Type', ' '], conversation, 'f.csv'), { code: 'BULK_HEADER_EMPTY' });
});

test('--map renames, drops with null, refuses an unknown target', () => {
  const columns = resolveHeader(['Conv Ref', 'Notes', 'Tier'], conversation, 'f.csv', { 'Conv Ref': 'externalConversationId', Notes: null, Tier: 'attr.tier' });
  assert.deepEqual(mapCells(columns, ['c-9', 'x', 'gold']).record, { externalConversationId: 'c-9', attributes: [{ name: 'tier', value: 'gold' }] });
  assert.throws(() => resolveHeader(['Conv Ref'], conversation, 'f.csv', { 'Conv Ref': 'nope' }), { code: 'BULK_HEADER_UNKNOWN' });
});

test('cells become typed values by the schema; empty cells are omitted', () => {
  const columns = resolveHeader(['External Agent ID', 'Languages', 'Concurrency', 'Ranking', 'Agent Name', 'attr.a', 'attr.b'], agent, 'f.csv');
  const mapped = mapCells(columns, ['a-1', 'en; es', '3', '', 'Ana', '', 'B']);
  assert.deepEqual(mapped.errors, []);
  assert.deepEqual(mapped.record, { externalAgentId: 'a-1', languages: ['en', 'es'], concurrency: 3, agentName: 'Ana', attributes: [{ name: 'b', value: 'B' }] });
  const json = mapCells(columns, ['a-2', '["fr","de"]', '-2', '7', '', '', '']);
  assert.deepEqual(json.record, { externalAgentId: 'a-2', languages: ['fr', 'de'], concurrency: -2, ranking: 7 });
  assert.equal('attributes' in json.record, false, 'no attr cells, no attributes');
});

test('a cell that does not convert is an error with the value', () => {
  const columns = resolveHeader(['External Agent ID', 'Concurrency', 'Languages'], agent, 'f.csv');
  const mapped = mapCells(columns, ['a-1', '2.5', '[not json']);
  assert.deepEqual(mapped.errors, ['concurrency: must be an integer (got "2.5")', 'languages: must be a JSON array or a ;-separated list (got "[not json")']);
});

test('NDJSON objects lose fields starting with _, keeping _eventId aside', () => {
  const value = { externalConversationId: 'c', _comment: 'x', _eventId: 'bs-1' };
  const mapped = mapObject(value);
  assert.deepEqual(mapped.record, { externalConversationId: 'c' });
  assert.equal(mapped.previousEventId, 'bs-1');
  assert.deepEqual(Object.keys(value).length, 3, 'input untouched');
});
