import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Faults, mulberry32 } from '../../dist/server/faults.js';
import { Throttle } from '../../dist/send/throttle.js';

test('AIMD: a 429 halves rate and concurrency once a second; successes add back', async () => {
  let now = 0;
  const throttle = new Throttle({ rate: 100, concurrency: 16, maxOutageMs: 60_000, now: () => now });
  assert.equal(await throttle.acquire(), true);
  throttle.release('throttled');
  assert.equal(throttle.concurrency, 8);
  assert.equal(throttle.rate, 50);
  now += 100; // the clock is ours: move it past the next token
  await throttle.acquire();
  throttle.release('throttled');
  assert.equal(throttle.concurrency, 8, 'the same burst counts once');
  now += 1000;
  await throttle.acquire();
  throttle.release('throttled');
  assert.deepEqual([throttle.concurrency, throttle.rate], [4, 25]);
  for (let i = 0; i < 4; i++) {
    now += 100;
    await throttle.acquire();
    throttle.release('ok');
  }
  assert.deepEqual([throttle.concurrency, throttle.rate], [5, 30]);
});

test('a run of failures is an outage: one probe at a time, and --max-outage is noticed', async () => {
  let now = 0;
  const throttle = new Throttle({ rate: 0, concurrency: 4, maxOutageMs: 5000, now: () => now });
  for (let i = 0; i < 5; i++) {
    now += 60_000; // past any probe spacing
    await throttle.acquire();
    throttle.release('failed');
  }
  assert.equal(throttle.inOutage, true);
  now += 6000;
  await throttle.acquire();
  throttle.release('failed');
  assert.equal(throttle.outageExceeded, true);
  now += 60_000;
  await throttle.acquire();
  throttle.release('ok');
  assert.equal(throttle.inOutage, false, 'one success ends it');
});

test('acquire gives up when the signal aborts', async () => {
  const throttle = new Throttle({ rate: 0, concurrency: 1, maxOutageMs: 1000 });
  assert.equal(await throttle.acquire(), true);
  const controller = new AbortController();
  const waiting = throttle.acquire(controller.signal);
  controller.abort();
  assert.equal(await waiting, false);
});

test('--rate spaces requests', async () => {
  const throttle = new Throttle({ rate: 50, concurrency: 8, maxOutageMs: 1000 });
  const started = Date.now();
  for (let i = 0; i < 6; i++) {
    await throttle.acquire();
    throttle.release('ok');
  }
  assert.ok(Date.now() - started >= 90, 'six requests at 50/s take at least 100 ms (less a tick)');
});

test('fault decisions are seeded and repeatable', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  const run = () => {
    const faults = new Faults({ seed: 9, failRate: 0.3, dropRate: 0.1, acceptThenFail: 0.2 }, () => 0);
    return Array.from({ length: 200 }, () => faults.judge().kind + (faults.judge().failAfterStoring ? '!' : '')).join(',');
  };
  assert.equal(run(), run());
  const faults = new Faults({ rateLimit: 2 }, () => 5000);
  assert.deepEqual([faults.judge().kind, faults.judge().kind, faults.judge().kind], ['process', 'process', 'throttle']);
});
