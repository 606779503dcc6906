// The preparing stage's memory plan, from the process's memory limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stageMemory } from '../../dist/prepare/index.js';

const MiB = 2 ** 20;

test('without a memory limit the stage runs on the roomy plan: 16 MB young generations, V8\'s own old-generation sizing, 4 ahead', () => {
  for (const limit of [undefined, 8 * 1024 * MiB]) {
    assert.deepEqual(stageMemory(limit), { resourceLimits: { maxYoungGenerationSizeMb: 16 }, ahead: 4, limit });
  }
});

test('under a limit the threads\' heaps and the read-ahead are sized from it', () => {
  assert.deepEqual(stageMemory(256 * MiB), { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 38 }, ahead: 2, limit: 256 * MiB });
  assert.equal(stageMemory(128 * MiB).resourceLimits.maxOldGenerationSizeMb, 32, 'never below a floor the mapping needs');
  assert.equal(stageMemory(768 * MiB).resourceLimits.maxOldGenerationSizeMb, 115);
});
