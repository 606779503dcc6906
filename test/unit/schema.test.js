// Unit tests for src/schema: the bundled schemas, Ajv compilation, and `property: rule (got "value")` messages.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KIND_NAMES } from '../../dist/kinds.js';
import { loadSchema, validatorFor } from '../../dist/schema/index.js';
import { tempDir } from '../helpers/cli.js';

const loaded = Object.fromEntries(await Promise.all(KIND_NAMES.map(async (kind) => [kind, await loadSchema({ kind })])));
const validators = Object.fromEntries(await Promise.all(KIND_NAMES.map(async (kind) => [kind, await validatorFor(loaded[kind])])));
const validate = validators.conversation;

/** The smallest valid record of a kind: its required properties, from their examples. */
function minimal(kind) {
  const { schema } = loaded[kind];
  return Object.fromEntries(schema.required.map((name) => [name, schema.properties[name].examples[0]]));
}

test('the three bundled schemas load, are strict-clean, closed, and document every property', () => {
  assert.deepEqual(KIND_NAMES, ['conversation', 'customer', 'agent']);
  for (const kind of KIND_NAMES) {
    const { schema, bundled } = loaded[kind];
    assert.equal(bundled, true);
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false, `${kind} is closed`);
    assert.ok(schema.required.length > 0, `${kind} has required properties`);
    for (const [name, property] of Object.entries(schema.properties)) {
      assert.ok(property.description, `${kind}.${name} has a description`);
      assert.ok(property.type, `${kind}.${name} has a type`);
      assert.ok(property.examples?.length, `${kind}.${name} has an example`);
      const patterns = [property.pattern, property.items?.pattern].filter(Boolean);
      for (const pattern of patterns) assert.match(pattern, /^\^.*\$$/, `${kind}.${name} pattern anchored`);
    }
  }
  assert.deepEqual(loaded.conversation.schema.required, ['externalConversationId']);
  assert.deepEqual(loaded.customer.schema.required, ['externalConversationId', 'externalCustomerId']);
  assert.deepEqual(loaded.agent.schema.required, ['externalAgentId']);
});

test('bundled schemas are compiled in strict mode (an unknown keyword would be refused), user schemas are not', async () => {
  const sloppy = { type: 'object', properties: { a: { type: 'string', xDoc: 'not a keyword' } } };
  await assert.rejects(validatorFor({ schema: sloppy, file: 'bundled.json', bundled: true }), { code: 'BULK_SCHEMA_INVALID' });
  const user = await validatorFor({ schema: sloppy, file: 'mine.json', bundled: false });
  assert.deepEqual(user({ a: 'x' }), []);
  assert.deepEqual(user({ a: 1 }), ['a: must be string (got 1)']);
});

test('every property of every kind accepts its documented example', () => {
  for (const kind of KIND_NAMES) {
    for (const [name, property] of Object.entries(loaded[kind].schema.properties)) {
      for (const example of property.examples) {
        assert.deepEqual(validators[kind]({ ...minimal(kind), [name]: example }), [], `${kind}.${name} = ${JSON.stringify(example)}`);
      }
    }
  }
});

test('each property kind refuses what it should', () => {
  const conv = (extra) => validate({ externalConversationId: 'c-1', ...extra });
  const agent = (extra) => validators.agent({ externalAgentId: 'a-1', ...extra });
  const customer = (extra) => validators.customer({ externalConversationId: 'c-1', externalCustomerId: 'u-1', ...extra });
  // string with an id pattern
  assert.deepEqual(conv({ lobId: 'lob/1' }), ['lobId: must match ^[a-zA-Z0-9\\-_]+$ (got "lob/1")']);
  // free text: any characters, bounded length
  assert.deepEqual(conv({ lobName: 'Retail, "Banking" / é' }), []);
  assert.deepEqual(conv({ lobName: 'x'.repeat(257) }), [`lobName: must be at most 256 characters, 257 given (got "${'x'.repeat(79)}…")`]);
  // enum
  assert.deepEqual(conv({ platform: 'web' }), [`platform: must be one of ${loaded.conversation.schema.properties.platform.enum.filter((v) => v !== null).join(', ')} (got "web")`]);
  // array of patterned strings
  assert.deepEqual(conv({ companySegment: ['ok', 'not ok'] }), ['companySegment[1]: must match ^[a-zA-Z0-9\\-_]+$ (got "not ok")']);
  assert.deepEqual(conv({ companySegment: 'Sales' }), ['companySegment: must be array or null (got "Sales")']);
  // integer
  assert.deepEqual(agent({ concurrency: 3 }), []);
  assert.deepEqual(agent({ concurrency: 2.5 }), ['concurrency: must be integer or null (got 2.5)']);
  assert.deepEqual(agent({ ranking: '1' }), ['ranking: must be integer or null (got "1")']);
  // formats
  assert.deepEqual(agent({ startTs: '2026-03-01T09:00:00Z' }), []);
  assert.deepEqual(agent({ startTs: 'yesterday' }), ['startTs: must match format "date-time" (got "yesterday")']);
  assert.deepEqual(customer({ emailAddress: 'not-an-email' }), ['emailAddress: must match format "email" (got "not-an-email")']);
  assert.deepEqual(customer({ phoneNumber: '+1 (555) 010' }), ['phoneNumber: must match ^[0-9\\-.()+]+$ (got "+1 (555) 010")']);
  // attributes: closed {name, value} objects, at most 10
  assert.deepEqual(conv({ attributes: [{ name: 'n', value: 'v' }] }), []);
  assert.deepEqual(conv({ attributes: [{ name: 'n' }] }), ['attributes[0].value: is required']);
  assert.deepEqual(conv({ attributes: [{ name: 'n', value: 'v', extra: 1 }] }), ['attributes[0].extra: is not a property of the schema (got 1)']);
  assert.equal(conv({ attributes: Array.from({ length: 11 }, (_, i) => ({ name: `n${i}`, value: 'v' })) }).length, 1, 'at most 10 attributes');
});

test('violations read `property: rule (got "value")`, every one of them', () => {
  const errors = validate({ deviceType: 'LAPTOP', campaign: 'issue 1389', browserVersion: '1.2.3.4.5.6.7.8.9', nope: 1, companySegment: ['ok', 7] });
  assert.deepEqual(errors.sort(), [
    'browserVersion: must be at most 16 characters, 17 given (got "1.2.3.4.5.6.7.8.9")',
    'campaign: must match ^[a-zA-Z0-9\\-_]+$ (got "issue 1389")',
    'companySegment[1]: must be string (got 7)',
    'deviceType: must be one of TABLET, PHONE, DESKTOP, WATCH, OTHER (got "LAPTOP")',
    'externalConversationId: is required',
    'nope: is not a property of the schema (got 1)',
  ]);
  assert.deepEqual(validate({ externalConversationId: 42 }), ['externalConversationId: must be string (got 42)']);
  assert.deepEqual(validate({ externalConversationId: 'c', lobId: { a: 1 } }), ['lobId: must be string or null (got {"a":1})']);
  assert.deepEqual(validate({ externalConversationId: 'c', attributes: [{ name: 'n', value: 5 }] }), ['attributes[0].value: must be string (got 5)']);
  assert.deepEqual(validate({ externalConversationId: 'c', attributes: [{ value: 'v' }, { name: 'm', value: 'w' }] }), ['attributes[0].name: is required']);
  assert.deepEqual(validate([]), ['(record): must be object (got [])']);
});

test('values are cut to 80 characters; nested attribute paths are named', () => {
  const [error] = validate({ externalConversationId: 'c', attributes: [{ name: 'n', value: 'x'.repeat(2000) }] });
  assert.equal(error, `attributes[0].value: must be at most 1024 characters, 2000 given (got "${'x'.repeat(79)}…")`);
  const [pattern] = validate({ externalConversationId: 'y'.repeat(100) + ' z' });
  assert.equal(pattern, `externalConversationId: must match ^[a-zA-Z0-9\\-_]+$ (got "${'y'.repeat(79)}…")`);
  const [short] = validate({ externalConversationId: 'c', campaign: `${'q'.repeat(79)}!` });
  assert.equal(short, `campaign: must match ^[a-zA-Z0-9\\-_]+$ (got "${'q'.repeat(79)}!")`, '80 characters are shown whole');
});

test('a length limit of one says "1 character", not "1 characters"', async () => {
  const check = await validatorFor({ schema: { type: 'object', properties: { grade: { type: 'string', maxLength: 1 }, code: { type: 'string', minLength: 1 } } }, file: 'user.json', bundled: false });
  assert.deepEqual(check({ grade: 'AB', code: '' }), ['grade: must be at most 1 character, 2 given (got "AB")', 'code: must be at least 1 character, 0 given (got "")']);
});

test('patterns are anchored: a value only partly matching is refused', () => {
  assert.deepEqual(validate({ externalConversationId: 'issue1389' }), []);
  for (const bad of ['issue 1389', 'issue1389!', '!issue1389', 'a\nb']) {
    assert.equal(validate({ externalConversationId: bad }).length, 1, JSON.stringify(bad));
  }
  assert.equal(validate({ externalConversationId: 'c', companySegment: ['Sales', 'Sales team'] }).length, 1, 'array items anchored too');
  assert.deepEqual(validate({ externalConversationId: 'c', browserVersion: '124.0.6367' }), [], 'browserVersion allows dots');
  assert.deepEqual(validators.customer({ externalConversationId: 'c', externalCustomerId: 'jane.doe@example.com' }), [], 'customer ids allow . and @');
});

test('nullable fields accept null; required ones do not', () => {
  for (const kind of KIND_NAMES) {
    const { schema } = loaded[kind];
    for (const [name, property] of Object.entries(schema.properties)) {
      const nullable = Array.isArray(property.type) && property.type.includes('null');
      const errors = validators[kind]({ ...minimal(kind), [name]: null });
      if (schema.required.includes(name)) {
        assert.equal(nullable, false, `${kind}.${name} is required, so not nullable`);
        assert.deepEqual(errors, [`${name}: must be string (got null)`], `${kind}.${name}`);
      } else {
        assert.equal(nullable, true, `${kind}.${name} is optional and nullable`);
        assert.deepEqual(errors, [], `${kind}.${name} accepts null`);
      }
    }
  }
  assert.deepEqual(validate({ externalConversationId: 'c', deviceType: null, companySegment: null, lobName: null, attributes: null }), []);
});

test('a user schema that is not JSON, not an object schema, or not a JSON Schema is refused with BULK_SCHEMA_INVALID', async () => {
  const dir = tempDir();
  const write = (name, text) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const notJson = write('a.json', '{ nope');
  await assert.rejects(loadSchema({ kind: 'conversation', file: notJson }), (error) => {
    assert.equal(error.code, 'BULK_SCHEMA_INVALID');
    assert.equal(error.name, 'BulkError');
    assert.equal(error.file, notJson);
    assert.match(error.message, /not valid JSON/);
    return true;
  });
  await assert.rejects(loadSchema({ kind: 'conversation', file: write('arr.json', '[]') }), { code: 'BULK_SCHEMA_INVALID' });
  await assert.rejects(loadSchema({ kind: 'conversation', file: write('str.json', '{"type":"string"}') }), { code: 'BULK_SCHEMA_INVALID' });
  await assert.rejects(loadSchema({ kind: 'conversation', file: join(dir, 'missing.json') }), { code: 'BULK_SCHEMA_INVALID' });
  const invalid = await loadSchema({ kind: 'conversation', file: write('b.json', JSON.stringify({ type: 'object', properties: { a: { type: 'strin' } } })) });
  assert.equal(invalid.bundled, false);
  await assert.rejects(validatorFor(invalid), (error) => error.code === 'BULK_SCHEMA_INVALID' && /not a valid JSON Schema/.test(error.message));
  const good = await loadSchema({ kind: 'conversation', file: write('c.json', JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'integer' } } })) });
  assert.deepEqual((await validatorFor(good))({ id: 'x' }), ['id: must be integer (got "x")']);
});

test('patterns: the API\'s published ones (\\_ and \\@ escapes) compile; u semantics stay where the pattern allows them', async () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^[a-zA-Z0-9\\-\\_]+$' },
      customer: { type: 'string', pattern: '[a-zA-Z0-9\\-\\_\\.\\@]+' },
      one: { type: 'string', pattern: '^.$' },
    },
  };
  const check = await validatorFor({ schema, file: 'user.json', bundled: false });
  assert.deepEqual(check({ id: 'a_b-1', customer: 'jo.e@x', one: '😀' }), [], 'an astral character is one character where u applies');
  assert.deepEqual(check({ id: 'a b' }), ['id: must match ^[a-zA-Z0-9\\-\\_]+$ (got "a b")']);
  await assert.rejects(validatorFor({ schema: { properties: { x: { type: 'string', pattern: '(' } } }, file: 'bad.json', bundled: false }), /not a valid JSON Schema: .*Invalid regular expression/);
});

test('the bundled schemas compiled at build time judge records exactly as a run-time compile of the same files', async () => {
  for (const kind of KIND_NAMES) {
    const prebuilt = validators[kind];
    const runtime = await validatorFor({ ...loaded[kind], kind: undefined });
    const good = minimal(kind);
    const records = [good, {}, { ...good, extra: 1 }, { ...good, eventId: 'has space' }, { ...good, attributes: [{ name: 'n', value: 'v'.repeat(2000) }] }, { ...good, emailAddress: 'not-an-email' }, { ...good, startTs: 'yesterday' }];
    for (const record of records) assert.deepEqual(prebuilt(record), runtime(record), `${kind}: ${JSON.stringify(record).slice(0, 80)}`);
  }
});
