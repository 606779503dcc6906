import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine, progressOf } from '../../dist/cli/progress.js';
import { Stats } from '../../dist/index.js';

/** A run `seconds` in, with `done` rows recorded of `taken` taken, which reach `read` of `total` bytes. */
function at({ done, taken, read, total = 1_000_000, inputDone = false, resumed = 0 }) {
  const stats = new Stats();
  Object.assign(stats, { rows: done, rowsTaken: taken, bytesRead: read, totalBytes: total ?? undefined, inputDone, resumed });
  return stats;
}

test('the share done is the rows done over the rows the inputs hold, scaled from how far the rows taken reach', () => {
  // 1,500 rows taken reach 15% of the bytes: 10,000 rows in all; 1,000 done is 10%.
  const stats = at({ done: 1000, taken: 1500, read: 150_000 });
  const progress = progressOf(stats, stats.startedAt + 10_000);
  assert.equal(progress.fraction, 0.1);
  // At a steady 100 rows a second, 9,000 rows left take 90 s.
  assert.equal(progress.etaMs, 90_000);
  assert.match(progressLine(stats, stats.startedAt + 10_000), /^1,000 rows · 10% · ETA 1m30s · 100 rows\/s · /);
});

test('never 100% before the last row is done; 100% and no ETA once it is', () => {
  const all = { taken: 10_000, read: 1_000_000, inputDone: true };
  const almost = at({ ...all, done: 9_999 });
  assert.equal(progressOf(almost, almost.startedAt + 1000).fraction, 0.99);
  // Every byte read, but the stage has not handed over its last row yet: rows may still come.
  const unsure = at({ done: 10_000, taken: 10_000, read: 1_000_000 });
  assert.equal(progressOf(unsure, unsure.startedAt + 1000).fraction, 0.99);
  const done = at({ ...all, done: 9_000, resumed: 1_000 });
  assert.deepEqual(progressOf(done, done.startedAt + 1000), { fraction: 1, etaMs: undefined });
});

test('rows skipped by --resume count as done, but not toward the rate', () => {
  const stats = at({ done: 1000, resumed: 4000, taken: 6000, read: 600_000 });
  const progress = progressOf(stats, stats.startedAt + 10_000);
  assert.equal(progress.fraction, 0.5);
  assert.equal(progress.etaMs, 50_000, '5,000 rows left at 100 rows a second');
});

test('no share without the inputs\' size (stdin) or before a row is taken', () => {
  assert.equal(progressOf(at({ done: 0, taken: 0, read: 0 })), undefined);
  assert.equal(progressOf(at({ done: 10, taken: 10, read: 100, total: null })), undefined);
  assert.doesNotMatch(progressLine(at({ done: 10, taken: 10, read: 100, total: null })), /%/);
});

test('waiting for the quota\'s reset (--at-quota wait): the rate leaves the wait out, and the ETA adds the wait still to come', () => {
  // 1,000 rows in 10 s of sending, then 50 s of waiting so far, 3,600 s still to wait.
  const stats = at({ done: 1000, taken: 1500, read: 150_000 });
  const now = stats.startedAt + 60_000;
  Object.assign(stats, { quotaWaitFrom: stats.startedAt + 10_000, quotaWaitUntil: now + 3_600_000 });
  assert.equal(progressOf(stats, now).etaMs, 90_000 + 3_600_000, '9,000 rows at 100 rows a second, after the reset');
  assert.match(progressLine(stats, now), / · 100 rows\/s · .*waiting for the quota to reset at 00:00 UTC \(in 1h00m\)/);
  // Once over, the wait stays out of the rate.
  Object.assign(stats, { quotaWaitedMs: stats.quotaWaited(now + 3_600_000), quotaWaitFrom: undefined, quotaWaitUntil: undefined, rows: 2000 });
  assert.match(progressLine(stats, now + 3_600_000 + 10_000), / · 100 rows\/s · /);
});
