// The adaptive limit (--concurrency auto) against simulated endpoints, in simulated time (no timing): a
// client that keeps as many requests in flight as the limit allows, and an endpoint that answers each after
// a time of its own shape. The endpoints in bench/endpoints.js are other shapes again, kept apart from these.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveLimit } from '../../dist/send/adaptive-limit.js';

/** A repeatable random number in [0, 1). */
function seeded(seed = 1) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * Runs `requests` requests through `limit` against `endpoint(inFlight, now, random)`, which gives an
 * answer `{ rtt, signal }` for a request sent with `inFlight` in flight. Returns the limit after each
 * answer, and the simulated time taken.
 */
function simulate(limit, endpoint, requests = 20_000) {
  const random = seeded();
  const pending = []; // answers due: { at, rtt, signal }, kept sorted by `at`
  let now = 0;
  let sent = 0;
  const limits = [];
  const send = () => {
    while (pending.length < limit.limit && sent < requests) {
      sent++;
      limit.started(pending.length + 1);
      const { rtt, signal } = endpoint(pending.length + 1, now, random);
      const answer = { at: now + rtt, rtt, signal };
      const i = pending.findIndex((p) => p.at > answer.at);
      pending.splice(i === -1 ? pending.length : i, 0, answer);
    }
  };
  send();
  while (pending.length > 0) {
    const answer = pending.shift();
    now = answer.at;
    limit.observe(answer.rtt, answer.signal, now);
    limits.push(limit.limit);
    send();
  }
  return { limits, elapsed: now };
}

/** An endpoint that takes `knee` requests at once in `baseMs`; past that, requests queue (RTT grows with the load). */
const queueing = (knee, baseMs = 10, jitter = 0.03) => (inFlight, _now, random) => ({ rtt: baseMs * Math.max(1, inFlight / knee) * (1 + jitter * (random() - 0.5)), signal: 'ok' });

const tail = (values, share = 0.5) => values.slice(Math.floor(values.length * (1 - share)));
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

test('the limit grows while the RTT holds, and settles near the knee once requests queue', () => {
  for (const knee of [4, 8, 32]) {
    const { limits } = simulate(new AdaptiveLimit({ max: 256, initial: 1 }), queueing(knee));
    const settled = tail(limits);
    assert.ok(Math.min(...settled) >= knee * 0.7 && Math.max(...settled) <= knee * 1.5 + 2, `knee ${knee}: the limit stayed within ${Math.min(...settled)}–${Math.max(...settled)}`);
  }
});

test('a sharp knee (each request past 8 adds 60 % of the base time to all) is found and held: few probes past it', () => {
  const knee = (inFlight, _now, random) => ({ rtt: 10 * (1 + 0.6 * Math.max(0, inFlight - 8)) * (1 + 0.03 * (random() - 0.5)), signal: 'ok' });
  const { limits } = simulate(new AdaptiveLimit({ max: 64, initial: 1 }), knee);
  const settled = tail(limits);
  const past = settled.filter((l) => l > 8).length / settled.length;
  assert.ok(mean(settled) >= 7 && mean(settled) <= 8.5, `the limit averaged ${mean(settled).toFixed(2)}`);
  assert.ok(past < 0.1, `past the knee ${(past * 100).toFixed(1)} % of the time`);
});

test('never past its maximum, never below one; back-pressure as a rate shrinks it, and once it ends the limit comes back', () => {
  assert.ok(Math.max(...simulate(new AdaptiveLimit({ max: 12, initial: 8 }), queueing(1000)).limits) <= 12, 'an endpoint with no knee: the limit stops at the maximum');
  // Every answer a 429 for a while (a rate limit hit), then none.
  const storm = (inFlight, now) => ({ rtt: 10, signal: now > 500 && now < 1500 ? 'backpressure' : 'ok' });
  const { limits } = simulate(new AdaptiveLimit({ max: 64, initial: 1 }), storm, 40_000);
  const least = Math.min(...limits.slice(limits.findIndex((l) => l === 64)));
  assert.ok(least <= 8, `during the storm the limit fell only to ${least}`);
  assert.equal(limits.at(-1), 64, 'after it, back to the maximum');
  const one = new AdaptiveLimit({ max: 64, initial: 1 });
  for (let t = 0; t < 1000; t += 10) one.observe(10, 'backpressure', t);
  assert.equal(one.limit, 1);
});

test('lone 503s among successes, answered at once, neither shrink the limit nor set the baseline', () => {
  // 150 ms a request, no knee; 3 % answered 503 in 1 ms (serve --fail-rate answers its 503 at once).
  const shedding = (_inFlight, _now, random) => (random() < 0.03 ? { rtt: 1, signal: 'backpressure' } : { rtt: 150 * (1 + 0.03 * (random() - 0.5)), signal: 'ok' });
  const { limits } = simulate(new AdaptiveLimit({ max: 64, initial: 1 }), shedding, 30_000);
  const settled = tail(limits);
  assert.ok(mean(settled) >= 56, `the limit averaged ${mean(settled).toFixed(1)} of 64`);
  assert.ok(Math.min(...settled) >= 32, `and fell to ${Math.min(...settled)}`);
});

test('an endpoint that becomes slower by itself (not from our load) does not pull the limit down, and its way back up is followed', () => {
  // No knee; the latency drifts from 20 ms to 80 ms and back every 8 s, whatever the load.
  const drifting = (_inFlight, now, random) => ({ rtt: (20 + 60 * (0.5 - 0.5 * Math.cos((2 * Math.PI * now) / 8000))) * (1 + 0.03 * (random() - 0.5)), signal: 'ok' });
  const { limits } = simulate(new AdaptiveLimit({ max: 32, initial: 1 }), drifting, 60_000);
  const settled = tail(limits, 0.8);
  assert.ok(mean(settled) >= 28, `the limit averaged ${mean(settled).toFixed(1)} of 32`);
  // The same drift over an endpoint with a knee at 8: a latency that falls fourfold in 4 s hides some of the
  // queue (steps up look paid for while it falls), but the limit stays within a small multiple of the knee.
  const both = (inFlight, now, random) => ({ rtt: drifting(inFlight, now, random).rtt * Math.max(1, inFlight / 8), signal: 'ok' });
  const knee = tail(simulate(new AdaptiveLimit({ max: 64, initial: 1 }), both, 60_000).limits, 0.8);
  assert.ok(mean(knee) >= 5 && mean(knee) <= 20, `with a knee at 8 as well, the limit averaged ${mean(knee).toFixed(1)}`);
  assert.ok(Math.max(...knee) <= 32, `and reached ${Math.max(...knee)}`);
});
