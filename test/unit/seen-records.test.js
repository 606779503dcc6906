// The run's table of records seen (src/prepare/seen-records.ts): every record found again after any
// number of growths, where it was first seen kept, and the memory it takes per record bounded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Repeats, SeenRecords } from '../../dist/prepare/seen-records.js';

const key = (i) => {
  const hex = createHash('sha1').update(String(i)).digest('hex');
  return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
};

test('SeenRecords: 300,000 keys are each new once, then found with where they were first seen', () => {
  const seen = new SeenRecords();
  const N = 300_000;
  for (let i = 1; i <= N; i++) assert.equal(seen.firstOrAdd(...key(i), i), 0);
  assert.equal(seen.size, N);
  for (let i = 1; i <= N; i++) {
    const first = seen.firstOrAdd(...key(i), 1);
    if (first !== i) assert.fail(`key ${i}: first seen at ${first}`);
  }
  assert.equal(seen.size, N, 'a repeat adds nothing');
  const perRecord = seen.bytes / N;
  assert.ok(perRecord < 16, `${perRecord.toFixed(1)} bytes a record (2,000,000 records must fit in 32 MB)`);
});

test('SeenRecords: keys that share their top bits and their table slot are told apart by the rest', () => {
  const seen = new SeenRecords();
  assert.equal(seen.firstOrAdd(0xab000000, 5, 1), 0);
  assert.equal(seen.firstOrAdd(0xab000001, 5, 2), 0, 'same slot, another key');
  assert.equal(seen.firstOrAdd(0xab000000, 6, 3), 0);
  assert.deepEqual([seen.firstOrAdd(0xab000000, 5, 9), seen.firstOrAdd(0xab000001, 5, 9), seen.firstOrAdd(0xab000000, 6, 9)], [1, 2, 3]);
});

test('Repeats: a repeat names the input and row first seen, across inputs and with gaps (shards)', () => {
  const repeats = new Repeats();
  const hash = (text) => {
    const hex = createHash('sha1').update(text).digest('hex');
    return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
  };
  assert.equal(repeats.repeatOf(...hash('a'), 0, 3), undefined);
  assert.equal(repeats.repeatOf(...hash('b'), 0, 9), undefined);
  assert.equal(repeats.repeatOf(...hash('a'), 0, 12), '0:3');
  assert.equal(repeats.repeatOf(...hash('c'), 1, 1), undefined);
  assert.equal(repeats.repeatOf(...hash('b'), 1, 4), '0:9', 'a row of the first input');
  assert.equal(repeats.repeatOf(...hash('d'), 2, 2), undefined);
  assert.equal(repeats.repeatOf(...hash('c'), 2, 7), '1:1', 'of the second input, after the first one ended at row 12');
  assert.equal(repeats.size, 4);
});
