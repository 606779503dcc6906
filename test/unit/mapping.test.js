// Unit tests for src/mapping: CSV header → properties (once per file), cells → typed record, NDJSON objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestProperty, fieldsOf, mapCells, mapObject, normalizeName, resolveHeader } from '../../dist/mapping/index.js';
import { loadSchema } from '../../dist/schema/index.js';

const conversation = fieldsOf((await loadSchema({ kind: 'conversation' })).schema);
const agent = fieldsOf((await loadSchema({ kind: 'agent' })).schema);
const customer = fieldsOf((await loadSchema({ kind: 'customer' })).schema);

/** A schema with every scalar kind, for conversions the bundled schemas do not exercise. */
const typed = fieldsOf({
  type: 'object',
  properties: {
    id: { type: 'string' },
    count: { type: ['integer', 'null'] },
    score: { type: 'number' },
    active: { type: ['boolean', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    sizes: { type: 'array', items: { type: 'integer' } },
    extra: { type: 'object' },
    mood: { enum: ['HAPPY', 'SAD', null] },
  },
});

const targets = (columns) => columns.map((c) => (c.target === 'property' ? c.field.name : c.target === 'attribute' ? `attr.${c.name}` : c.target));

test('fieldsOf reads each property kind from the schema', () => {
  const kinds = Object.fromEntries([...typed.values()].map((f) => [f.name, f.kind === 'array' ? `array<${f.itemKind}>` : f.kind]));
  assert.deepEqual(kinds, {
    id: 'string',
    count: 'integer',
    score: 'number',
    active: 'boolean',
    tags: 'array<string>',
    sizes: 'array<integer>',
    extra: 'object',
    mood: 'string',
  });
  assert.equal(conversation.get('attributes').isAttributes, true);
  assert.equal(conversation.get('companySegment').kind, 'array');
  assert.equal(agent.get('concurrency').kind, 'integer');
});

test('headers match a property exactly, keeping the header text', () => {
  const columns = resolveHeader(['externalConversationId', 'deviceType'], conversation, 'f.csv');
  assert.deepEqual(targets(columns), ['externalConversationId', 'deviceType']);
  assert.deepEqual(columns.map((c) => [c.index, c.header]), [[0, 'externalConversationId'], [1, 'deviceType']]);
});

test('headers match loosely: case-insensitive, ignoring spaces, _, - and .', () => {
  assert.equal(normalizeName('External Conversation ID'), 'externalconversationid');
  const columns = resolveHeader(
    ['External Conversation ID', 'DEVICE TYPE', 'company_segment', 'browser-version', 'LOB.ID', 'operating  system'],
    conversation,
    'f.csv',
  );
  assert.deepEqual(targets(columns), ['externalConversationId', 'deviceType', 'companySegment', 'browserVersion', 'lobId', 'operatingSystem']);
});

test('attr.<name> columns become attributes; _ columns are ignored; _eventId is kept aside', () => {
  const columns = resolveHeader(['External Conversation ID', 'attr.channel', 'ATTR.Tier', '_note', '_eventId'], conversation, 'f.csv');
  assert.deepEqual(targets(columns), ['externalConversationId', 'attr.channel', 'attr.Tier', 'ignore', 'previousEventId']);
  const mapped = mapCells(columns, ['c-1', 'chat', 'gold', 'a note that must not be sent', 'bs-abc']);
  assert.deepEqual(mapped.record, {
    externalConversationId: 'c-1',
    attributes: [
      { name: 'channel', value: 'chat' },
      { name: 'Tier', value: 'gold' },
    ],
  });
  assert.deepEqual(mapped.errors, []);
  assert.equal(mapped.previousEventId, 'bs-abc');
  assert.equal(JSON.stringify(mapped.record).includes('note'), false, 'the _ column is not in the record');
  assert.equal('previousEventId' in mapCells(columns, ['c-2', '', '', '', '']), false, 'no _eventId cell, no previousEventId');
});

test('a schema without attributes refuses attr.* columns', () => {
  assert.throws(() => resolveHeader(['id', 'attr.x'], typed, 'f.csv'), { code: 'BULK_HEADER_UNKNOWN' });
});

test('an unknown header refuses the file, naming every unknown column and its closest property', () => {
  assert.throws(
    () => resolveHeader(['External Conversation ID', 'Devise Type', 'Plattform', 'attr.ok'], conversation, 'in/f.csv'),
    (error) => {
      assert.equal(error.code, 'BULK_HEADER_UNKNOWN');
      assert.equal(error.file, 'in/f.csv');
      assert.match(error.message, /"Devise Type" \(closest property: deviceType\)/);
      assert.match(error.message, /"Plattform" \(closest property: platform\)/);
      assert.match(error.message, /Nothing was sent/);
      assert.equal(error.message.includes('attr.ok'), false, 'a good column is not named');
      assert.match(error.toLine(), /^in\/f\.csv:1: /);
      return true;
    },
  );
});

test('a closest property is named only when it is close: a few edits, or a prefix or suffix', () => {
  assert.equal(closestProperty('Devise Type', conversation), 'deviceType', 'one edit in ten');
  assert.equal(closestProperty('Plattform', conversation), 'platform');
  assert.equal(closestProperty('Agent ID', agent), 'externalAgentId', 'a suffix');
  assert.equal(closestProperty('Conversation ID', conversation), 'externalConversationId', 'a suffix');
  for (const far of ['Start Ts', 'Vendor', 'Agent ID', 'Supervisor Name', 'Email Address']) {
    assert.equal(closestProperty(far, conversation), undefined, `nothing in a conversation record is close to "${far}"`);
  }
});

test('each usual typo kind gets its hint: a swap of two neighbouring letters is one slip, as a missing, extra or wrong letter is', () => {
  const typos = {
    lobNmae: 'lobName', // two neighbouring letters swapped: one edit, not two
    Ptalform: 'platform', // a swap at the start
    browserVesrion: 'browserVersion', // a swap in a long name
    grupId: 'groupId', // a missing letter
    campiagn: 'campaign', // a swap in the middle
    groupNamee: 'groupName', // an extra letter
    deviceTipe: 'deviceType', // a wrong letter
    BROWSERTYPE: 'browserType', // case
  };
  for (const [typo, property] of Object.entries(typos)) {
    assert.equal(closestProperty(typo, conversation), property, `"${typo}" → ${property}`);
  }
  // A swap is one edit, but a far-fetched name stays out: two swaps in a short name are too many.
  for (const far of ['oblNmae', 'pmaCaing', 'Lob', 'Group Size']) {
    assert.equal(closestProperty(far, conversation), undefined, `nothing in a conversation record is close to "${far}"`);
  }
});

test('a header of another kind says which kind, before (and instead of) sixteen far hints', () => {
  const others = () => [{ name: 'customer', fields: customer }, { name: 'agent', fields: agent }];
  const header = ['External Agent ID', 'Start Ts', 'Agent Name', 'Vendor', 'Languages', 'attr.team'];
  assert.throws(
    () => resolveHeader(header, conversation, 'agents.csv', { kind: 'conversation', others }),
    (error) => {
      assert.equal(error.code, 'BULK_HEADER_UNKNOWN');
      assert.match(error.message, /^these columns are the agent record's: pass --kind agent \(5 of 6 are not properties of the conversation record: "External Agent ID", "Start Ts", "Agent Name", "Vendor", "Languages"\)\. Nothing was sent$/);
      return true;
    },
  );
  assert.throws(
    () => resolveHeader([...header, 'Shoe Size'], conversation, 'agents.csv', { kind: 'conversation', others }),
    /: these columns look like the agent record's \(it has properties for 6 of 7\): pass --kind agent and fix the rest \(6 of 7 are not/,
    'a header that fits another kind better, not wholly',
  );
  assert.throws(
    () => resolveHeader(['External Conversation ID', 'Devise Type'], conversation, 'f.csv', { kind: 'conversation', others }),
    /: unknown column "Devise Type" \(closest property: deviceType\); rename it/,
    'a typo in the right kind: no kind hint',
  );
  assert.throws(
    () => resolveHeader(['Lob ID', 'Group ID', 'Agent Name'], conversation, 'agents.csv', { kind: 'conversation', others }),
    /: pass --kind agent \(1 of 3 is not a property of the conversation record: "Agent Name"\)\. Nothing was sent$/,
    'one column: "1 of 3 is not a property"',
  );
  assert.throws(
    () => resolveHeader(['External Conversation ID', 'Devise Type', 'Zzz'], conversation, 'f.csv', { kind: 'conversation', others }),
    /; rename them, map with --map, or start their headers with _ to ignore them\. Nothing was sent$/,
    'two columns: them',
  );
});

test('two columns onto one property are refused; so is the same header twice', () => {
  assert.throws(
    () => resolveHeader(['Device Type', 'device_type'], conversation, 'f.csv'),
    (error) => error.code === 'BULK_HEADER_DUPLICATE' && /"Device Type" and "device_type" both map to deviceType/.test(error.message),
  );
  assert.throws(() => resolveHeader(['attr.x', 'ATTR.x'], conversation, 'f.csv'), (error) => error.code === 'BULK_HEADER_DUPLICATE' && /attr\.x/.test(error.message));
  assert.throws(
    () => resolveHeader(['_note', 'lobId', '_note'], conversation, 'f.csv'),
    (error) => error.code === 'BULK_HEADER_DUPLICATE' && /columns 1 and 3/.test(error.message),
  );
});

test('an empty header name is refused, with its column number', () => {
  assert.throws(() => resolveHeader(['Device Type', ' '], conversation, 'f.csv'), (error) => error.code === 'BULK_HEADER_EMPTY' && /column 2/.test(error.message));
  assert.throws(() => resolveHeader(['', 'lobId'], conversation, 'f.csv'), (error) => error.code === 'BULK_HEADER_EMPTY' && /column 1/.test(error.message));
});

test('--map renames, sends to attr.*, drops with null (even a column that would match), refuses an unknown target', () => {
  const map = { 'Conv Ref': 'externalConversationId', Notes: null, Tier: 'attr.tier', 'Device Type': null };
  const columns = resolveHeader(['Conv Ref', 'Notes', 'Tier', 'Device Type'], conversation, 'f.csv', { map });
  assert.deepEqual(targets(columns), ['externalConversationId', 'ignore', 'attr.tier', 'ignore']);
  assert.deepEqual(mapCells(columns, ['c-9', 'x', 'gold', 'PHONE']).record, {
    externalConversationId: 'c-9',
    attributes: [{ name: 'tier', value: 'gold' }],
  });
  assert.throws(
    () => resolveHeader(['Conv Ref'], conversation, 'f.csv', { map: { 'Conv Ref': 'nope' } }),
    (error) => error.code === 'BULK_HEADER_UNKNOWN' && /"Conv Ref" to "nope"/.test(error.message),
  );
  assert.throws(() => resolveHeader(['a', 'b'], conversation, 'f.csv', { map: { a: 'lobId', b: 'lobId' } }), { code: 'BULK_HEADER_DUPLICATE' });
});

test('array cells split on ; (blank items dropped) or parse as JSON when they start with [', () => {
  const columns = resolveHeader(['External Conversation ID', 'Company Segment'], conversation, 'f.csv');
  assert.deepEqual(mapCells(columns, ['c', 'retail; mobile ;;premium']).record.companySegment, ['retail', 'mobile', 'premium']);
  assert.deepEqual(mapCells(columns, ['c', 'single']).record.companySegment, ['single']);
  assert.deepEqual(mapCells(columns, ['c', '["a;b","c"]']).record.companySegment, ['a;b', 'c']);
  assert.deepEqual(mapCells(columns, ['c', '[oops']).errors, ['companySegment: must be a JSON array or a ;-separated list (got "[oops")']);
  const sizes = resolveHeader(['sizes'], typed, 'f.csv');
  assert.deepEqual(mapCells(sizes, ['1; 2;-3']).record, { sizes: [1, 2, -3] });
  assert.deepEqual(mapCells(sizes, ['1;x']).errors, ['sizes: each item must be an integer (got "1;x")']);
});

test('integer, number and boolean cells are converted from text', () => {
  const columns = resolveHeader(['count', 'score', 'active'], typed, 'f.csv');
  const cases = [
    [['3', '1.5', 'true'], { count: 3, score: 1.5, active: true }],
    [['-2', '.5', 'FALSE'], { count: -2, score: 0.5, active: false }],
    [['+4', '-2e3', 'yes'], { count: 4, score: -2000, active: true }],
    [['0', '7', 'no'], { count: 0, score: 7, active: false }],
    [['10', '1E2', '1'], { count: 10, score: 100, active: true }],
    [['11', '0.25', '0'], { count: 11, score: 0.25, active: false }],
  ];
  for (const [cells, record] of cases) {
    const mapped = mapCells(columns, cells);
    assert.deepEqual(mapped.errors, [], cells.join(','));
    assert.deepEqual(mapped.record, record, cells.join(','));
  }
});

test('a cell that does not convert is an error naming the property, the rule and the value', () => {
  const columns = resolveHeader(['count', 'score', 'active', 'extra'], typed, 'f.csv');
  assert.deepEqual(mapCells(columns, ['2.5', 'abc', 'maybe', '{nope']).errors, [
    'count: must be an integer: it has a fractional part (got "2.5")',
    'score: must be a number (got "abc")',
    'active: must be true or false (got "maybe")',
    'extra: must be a JSON object (got "{nope")',
  ]);
  assert.deepEqual(mapCells(columns, ['1e', '1.2.3', 'tru', '{"a":1}']).errors, [
    'count: must be an integer (got "1e")',
    'score: must be a number (got "1.2.3")',
    'active: must be true or false (got "tru")',
  ]);
  const [long] = mapCells(columns, ['x'.repeat(200), '', '', '']).errors;
  assert.equal(long, `count: must be an integer (got "${'x'.repeat(79)}…")`, 'the value is cut to 80 characters');
  const failed = mapCells(columns, ['x', '2', 'true', '']);
  assert.deepEqual(failed.record, { score: 2, active: true }, 'the bad cell is left out of the record');
});

/** What one integer, number and boolean cell each become: the value, or the error. */
function convertedAs(kind, cell) {
  const column = { integer: 'count', number: 'score', boolean: 'active' }[kind];
  const mapped = mapCells(resolveHeader([column], typed, 'f.csv'), [cell]);
  return mapped.errors.length > 0 ? mapped.errors[0] : mapped.record[column];
}

test('integers as people write them: a zero fraction or an exponent is an integer, as in JSON Schema; a fraction, separators or too many digits are not', () => {
  const taken = {
    '1.0': 1, '1.00': 1, '-3.0': -3, '+3': 3, '+3.': 3, '1e3': 1000, '1E+3': 1000, '1.5e1': 15, '150e-1': 15, '1.0e0': 1,
    '007': 7, ' 7 ': 7, '\t-7\t': -7, '9007199254740991': 9007199254740991, '-9007199254740991': -9007199254740991,
  };
  for (const [cell, value] of Object.entries(taken)) assert.equal(convertedAs('integer', cell), value, JSON.stringify(cell));
  assert.ok(Object.is(convertedAs('integer', '-0'), 0), '-0 is sent as 0');
  assert.ok(Object.is(convertedAs('integer', '-0.0e5'), 0), '-0.0e5 too');
  const fraction = (cell) => `count: must be an integer: it has a fractional part (got ${JSON.stringify(cell)})`;
  for (const cell of ['1.5', '0.1', '-2.50', '1e-1', '1.55e1', '1.0000000000000001', '.5']) assert.equal(convertedAs('integer', cell), fraction(cell));
  const range = (cell) => `count: must be an integer from -9007199254740991 to 9007199254740991 (beyond, JSON parsers lose digits) (got ${JSON.stringify(cell)})`;
  for (const cell of ['9007199254740993', '9007199254740992', '-9007199254740992', '1e16', '1e400']) assert.equal(convertedAs('integer', cell), range(cell), cell);
  const separators = (cell) => `count: must be an integer, written without thousands separators (got ${JSON.stringify(cell)})`;
  for (const cell of ['1,000', '1 000', "1'000", '1_000', '1.000.000,00', '-12,345,678']) assert.equal(convertedAs('integer', cell), separators(cell), cell);
  const plain = (cell) => `count: must be an integer (got ${JSON.stringify(cell)})`;
  for (const cell of ['NaN', 'Infinity', '-Infinity', '0x10', '1e', 'e3', '+', '-', '.', '1.2.3', '++1', '1-', 'one', '  ']) assert.equal(convertedAs('integer', cell), plain(cell), JSON.stringify(cell));
  assert.deepEqual(mapCells(resolveHeader(['id', 'count'], typed, 'f.csv'), ['x', '']).record, { id: 'x' }, 'an empty cell omits the property');
  assert.deepEqual(mapCells(resolveHeader(['sizes'], typed, 'f.csv'), ['1.0; 2e1 ;-0']).record, { sizes: [1, 20, 0] }, 'array items alike');
  assert.deepEqual(mapCells(resolveHeader(['sizes'], typed, 'f.csv'), ['1;2.5']).errors, ['sizes: each item must be an integer: it has a fractional part (got "1;2.5")']);
});

test('numbers as people write them: sign, fraction, exponent, whitespace around; no separators, no NaN or Infinity, nothing a double cannot hold', () => {
  const taken = { '1.5': 1.5, '+1.5': 1.5, '-.5': -0.5, '1.': 1, '1e3': 1000, '2.5E-3': 0.0025, ' 7.25 ': 7.25, '9007199254740993': 9007199254740992, '1e308': 1e308 };
  for (const [cell, value] of Object.entries(taken)) assert.equal(convertedAs('number', cell), value, JSON.stringify(cell));
  assert.ok(Object.is(convertedAs('number', '-0'), 0), '-0 is sent as 0');
  for (const cell of ['1e400', '-1e400']) assert.equal(convertedAs('number', cell), `score: must be a number a double can hold (up to about 1.8e308) (got "${cell}")`);
  for (const cell of ['1,5', '1,000.25', '1 000', '1.000,5']) {
    assert.equal(convertedAs('number', cell), `score: must be a number, written without thousands separators and with . before decimals (got "${cell}")`, cell);
  }
  for (const cell of ['NaN', 'Infinity', 'inf', '1/2', '5%', '$5']) assert.equal(convertedAs('number', cell), `score: must be a number (got "${cell}")`, cell);
  assert.equal(convertedAs('boolean', ' Yes '), true, 'booleans too ignore whitespace around them');
});

test('NDJSON --coerce reads numeric strings by the same rules', () => {
  const coerceBy = typed;
  assert.deepEqual(mapObject({ count: '1.0', score: ' 2.5 ' }, coerceBy).record, { count: 1, score: 2.5 });
  assert.deepEqual(mapObject({ count: '1.5', score: '1,5' }, coerceBy).record, { count: '1.5', score: '1,5' }, 'left for validation to refuse');
});

test('cells become typed values; empty and missing cells omit their property', () => {
  const columns = resolveHeader(['External Agent ID', 'Languages', 'Concurrency', 'Ranking', 'Agent Name', 'attr.a', 'attr.b'], agent, 'f.csv');
  const mapped = mapCells(columns, ['a-1', 'en; es', '3', '', 'Ana', '', 'B']);
  assert.deepEqual(mapped.errors, []);
  assert.deepEqual(mapped.record, { externalAgentId: 'a-1', languages: ['en', 'es'], concurrency: 3, agentName: 'Ana', attributes: [{ name: 'b', value: 'B' }] });
  const json = mapCells(columns, ['a-2', '["fr","de"]', '-2', '7', '', '', '']);
  assert.deepEqual(json.record, { externalAgentId: 'a-2', languages: ['fr', 'de'], concurrency: -2, ranking: 7 });
  const short = mapCells(columns, ['a-3', 'en']);
  assert.deepEqual(short.record, { externalAgentId: 'a-3', languages: ['en'] }, 'a short row omits the missing cells');
  const typedColumns = resolveHeader(['id', 'count', 'active', 'mood'], typed, 'f.csv');
  assert.deepEqual(mapCells(typedColumns, ['x', '', '', '']).record, { id: 'x' }, 'an empty integer/boolean/enum cell is omitted, not an error');
  assert.deepEqual(mapCells(typedColumns, [' spaced ', '', '', 'HAPPY']).record, { id: ' spaced ', mood: 'HAPPY' }, 'string cells are kept as typed');
});

test('attributes come in column order; a row with no attr cell sends no attributes', () => {
  const columns = resolveHeader(['attr.zeta', 'External Conversation ID', 'attr.alpha', 'attr.mid'], conversation, 'f.csv');
  assert.deepEqual(mapCells(columns, ['z', 'c', 'a', 'm']).record.attributes, [
    { name: 'zeta', value: 'z' },
    { name: 'alpha', value: 'a' },
    { name: 'mid', value: 'm' },
  ]);
  assert.deepEqual(mapCells(columns, ['', 'c', 'a', '']).record.attributes, [{ name: 'alpha', value: 'a' }], 'an empty attr cell omits that attribute');
  const none = mapCells(columns, ['', 'c', '', '']);
  assert.deepEqual(none.record, { externalConversationId: 'c' });
  assert.equal(Object.hasOwn(none.record, 'attributes'), false);
});

test('NDJSON objects lose fields starting with _, keeping _eventId aside; the input is untouched', () => {
  const value = { externalConversationId: 'c', _comment: 'x', _line: 4, _error: 'old', _eventId: 'bs-1', lobId: 'l' };
  const mapped = mapObject(value);
  assert.deepEqual(mapped.record, { externalConversationId: 'c', lobId: 'l' });
  assert.deepEqual(mapped.errors, []);
  assert.equal(mapped.previousEventId, 'bs-1');
  assert.deepEqual(Object.keys(value), ['externalConversationId', '_comment', '_line', '_error', '_eventId', 'lobId'], 'input untouched');
  const plain = mapObject({ a: 1, _eventId: 7 });
  assert.deepEqual(plain.record, { a: 1 });
  assert.equal('previousEventId' in plain, false, 'a non-string _eventId is not reused');
  assert.deepEqual(mapObject({ deviceType: 'PHONE', count: '3' }).record, { deviceType: 'PHONE', count: '3' }, 'no coercion without --coerce');
});
