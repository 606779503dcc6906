// The day's quota (src/job/daily-quota.ts) on a clock the test moves: it stops the run at the quota,
// waits for 00:00 UTC and goes on with --at-quota wait, counts per UTC day, and keeps a shard to its share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DailyQuota, RunCounter, nextReset } from '../../dist/job/daily-quota.js';
import { Stopper } from '../../dist/job/stopper.js';

const at = (iso) => Date.parse(iso);

function quota(options) {
  const clock = { now: at('2026-12-05T23:59:58Z') };
  const stop = new Stopper();
  const said = [];
  const q = new DailyQuota({ host: 'api.example.com', limit: 3, from: 'option', counter: new RunCounter(), ledger: undefined, atQuota: 'stop', stop, onWait: (m) => said.push(m), now: () => clock.now, ...options });
  return { q, stop, said, clock };
}

test('nextReset is the next 00:00 UTC', () => {
  assert.equal(nextReset(at('2026-12-05T23:59:58Z')), at('2026-12-06T00:00:00Z'));
  assert.equal(nextReset(at('2026-12-06T00:00:00Z')), at('2026-12-07T00:00:00Z'));
});

test('at the quota the run stops, with the line that says when it resets', () => {
  const { q, stop } = quota();
  assert.deepEqual([q.take(stop.signal), q.take(stop.signal), q.take(stop.signal)], [true, true, true]);
  assert.equal(q.take(stop.signal), false);
  assert.equal(stop.aborted?.code, 'BULK_QUOTA');
  assert.match(stop.aborted.message, /the day's quota is spent: 3 of 3 requests \(--daily-quota\) to api\.example\.com on 2026-12-05 \(UTC\), all by this run \(without --ledger, earlier runs are not counted\); it resets at 00:00 UTC, in 2(\.0)?s: run again with --resume/);
  assert.deepEqual({ ...q.summary(), day: q.summary().day }, { host: 'api.example.com', day: '2026-12-05', limit: 3, from: 'option', spentBefore: 0, spent: 3, ledger: null });
});

test('--at-quota wait: waits (said once for every request waiting), and after the reset takes from the new day', async () => {
  const { q, stop, said, clock } = quota({ atQuota: 'wait' });
  for (let i = 0; i < 3; i++) q.take(stop.signal);
  const waits = [q.take(stop.signal), q.take(stop.signal)];
  assert.ok(waits.every((w) => w instanceof Promise));
  assert.equal(said.length, 1);
  assert.match(said[0], /waiting until then \(--at-quota wait\), then going on/);
  clock.now = at('2026-12-06T00:00:01Z');
  // The timer is set for the reset plus a second, measured on the real clock: 3 s at most here.
  assert.deepEqual(await Promise.all(waits), [true, true]);
  assert.equal(stop.aborted, undefined);
  assert.equal(q.summary().day, '2026-12-06');
  assert.equal(q.summary().spent, 2);
});

test('--at-quota wait: a stop while waiting ends the wait with false', async () => {
  const { q, stop } = quota({ atQuota: 'wait' });
  for (let i = 0; i < 3; i++) q.take(stop.signal);
  const wait = q.take(stop.signal);
  stop.abort(Object.assign(new Error('interrupted'), { code: 'BULK_USAGE' }));
  assert.equal(await wait, false);
});

test('with --shard K/N a process takes at most its share, even with quota left', () => {
  const { q, stop } = quota({ limit: 10, share: { limit: 2, shards: 5 } });
  assert.deepEqual([q.take(stop.signal), q.take(stop.signal), q.take(stop.signal)], [true, true, false]);
  assert.match(stop.aborted.message, /this shard's share of the day's quota is spent: 2 requests to api\.example\.com on 2026-12-05 \(UTC\), 1\/5 of 10/);
});
