// The adaptive limit (--concurrency auto) against a model of an endpoint with a knee: up to C requests at
// once each take the base time, past C they queue (RTT grows with the load). Simulated time: no timing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveLimit } from '../../dist/send/adaptive-limit.js';

/** Drives the limit with `windows` windows of answers from an endpoint of capacity `knee`; returns the limits seen. */
function drive(limit, { knee, baseMs = 10, windows = 400, jitter = 0.03, backpressureAt = -1 }) {
  let now = 0;
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const seen = [];
  for (let w = 0; w < windows; w++) {
    const inFlight = limit.limit;
    const rtt = baseMs * Math.max(1, inFlight / knee) * (1 + jitter * (random() - 0.5));
    for (let k = 0; k < inFlight; k++) {
      limit.started(inFlight);
      now += rtt / inFlight;
      limit.observe(rtt, w === backpressureAt && k === 0 ? 'backpressure' : 'ok', now);
    }
    seen.push(limit.limit);
  }
  return seen;
}

test('the limit grows while the RTT holds, and settles near the knee once requests queue', () => {
  for (const knee of [4, 8, 32]) {
    const seen = drive(new AdaptiveLimit({ max: 256, initial: 1 }), { knee });
    const settled = seen.slice(-100);
    assert.ok(Math.min(...settled) >= knee * 0.7 && Math.max(...settled) <= knee * 1.5 + 2, `knee ${knee}: the limit stayed within ${Math.min(...settled)}–${Math.max(...settled)}`);
  }
});

test('never past its maximum, never below one; a 429 or 503 shrinks it by a tenth at once', () => {
  assert.ok(Math.max(...drive(new AdaptiveLimit({ max: 12, initial: 8 }), { knee: 1000 })) <= 12, 'an endpoint with no knee: the limit stops at the maximum');
  const limit = new AdaptiveLimit({ max: 64, initial: 40 });
  const seen = drive(limit, { knee: 1000, windows: 3, backpressureAt: 1 });
  assert.equal(seen[1], 36, 'back-pressure: 40 → 36');
  const one = new AdaptiveLimit({ max: 64, initial: 1 });
  one.observe(10, 'backpressure', 0);
  one.observe(10, 'backpressure', 100);
  assert.equal(one.limit, 1);
});
