import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KIND_NAMES } from '../../dist/kinds.js';
import { compileSchema, loadSchema } from '../../dist/schema/index.js';
import { tempDir } from '../helpers/cli.js';

const validate = compileSchema(await loadSchema({ kind: 'conversation' }));

test('every bundled schema compiles in strict mode, documents every property, anchors every pattern', async () => {
  for (const kind of KIND_NAMES) {
    const loaded = await loadSchema({ kind });
    assert.doesNotThrow(() => compileSchema(loaded));
    assert.equal(loaded.schema.additionalProperties, false);
    for (const [name, property] of Object.entries(loaded.schema.properties)) {
      assert.ok(property.description, `${kind}.${name} has a description`);
      assert.ok(property.examples?.length, `${kind}.${name} has an example`);
      const patterns = [property.pattern, property.items?.pattern].filter(Boolean);
      for (const pattern of patterns) assert.match(pattern, /^\^.*\$$/, `${kind}.${name} pattern anchored`);
    }
  }
});

test('a valid record passes; nullable fields accept null', () => {
  assert.deepEqual(validate({ externalConversationId: 'issue1389', deviceType: null, companySegment: null, lobName: null }), []);
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
});

test('values are cut to 80 characters; nested attribute paths are named', () => {
  const [error] = validate({ externalConversationId: 'c', attributes: [{ name: 'n', value: 'x'.repeat(2000) }] });
  assert.match(error, /^attributes\[0\]\.value: must be at most 1024 characters, 2000 given \(got "x{79}…"\)$/);
});

test('a user schema that is not JSON, or not a JSON Schema, is refused', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.json'), '{ nope');
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ type: 'object', properties: { a: { type: 'strin' } } }));
  await assert.rejects(loadSchema({ kind: 'conversation', file: join(dir, 'a.json') }), { code: 'BULK_SCHEMA_INVALID' });
  const loaded = await loadSchema({ kind: 'conversation', file: join(dir, 'b.json') });
  assert.throws(() => compileSchema(loaded), { code: 'BULK_SCHEMA_INVALID' });
});
