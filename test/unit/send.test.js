// Unit tests for src/send: outcome classification, Retry-After, backoff, eventIds, bounded concurrency (Slots), batch answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/cli.js';
import { classifyBatch } from '../../dist/send/batch-outcome.js';
import { Slots } from '../../dist/send/slots.js';
import { parseRetryAfter } from '../../dist/send/http-client.js';
import { createHash } from 'node:crypto';
import { contentHash, generateEventId, hashHigh, hashLow, positionedDigest, rowHash } from '../../dist/mapping/event-id.js';
import { classify } from '../../dist/send/outcome.js';
import { BACKOFF, retryDelay } from '../../dist/send/retry.js';

/** An answer as exchange.ts makes it: JSON by default, with its raw bytes. */
const answer = (httpStatus, body, extra = {}) => {
  const raw = Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
  return { httpStatus, body: typeof body === 'string' ? undefined : body, networkError: undefined, retryAfterMs: undefined, contentType: 'application/json', raw, ...extra };
};
const summary = (o) => ({ status: o.status, retryable: o.retryable, haltsRun: o.haltsRun, error: o.error, eventId: o.eventId, httpStatus: o.httpStatus });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
/** Every promise reaction queued so far, and those they queue, have run: a macrotask comes after them all. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('classify: a 2xx single answer naming its eventId with a blank or missing error is accepted', () => {
  for (const body of [{ result: { eventId: 'srv', error: '' } }, { result: { eventId: 'srv', error: '   ' } }, { result: { eventId: 'srv' } }, { result: { eventId: 'srv', error: null } }]) {
    assert.deepEqual(summary(classify(answer(200, body), 'sent')), { status: 'accepted', retryable: false, haltsRun: false, error: undefined, eventId: 'srv', httpStatus: 200 }, JSON.stringify(body));
  }
  const noType = classify(answer(200, { result: { eventId: 'srv', error: '' } }, { contentType: undefined }), 'sent');
  assert.equal(noType.status, 'accepted', 'no Content-Type at all: the body decides');
});

test('classify: anything but the API answer accepts nothing: failed, retried, saying what came back', () => {
  const cases = [
    [answer(201, undefined), 'HTTP 201 application/json (0 bytes) is not the API\'s answer: an empty body'],
    [answer(200, { status: 'ok' }), 'HTTP 200 application/json (15 bytes) is not the API\'s answer: "{\\"status\\":\\"ok\\"}"'],
    [answer(200, { result: { error: '' } }), 'HTTP 200 application/json (23 bytes) is not the API\'s answer: "{\\"result\\":{\\"error\\":\\"\\"}}"'],
    [answer(200, '<html>\n<body>x</body></html>', { contentType: 'text/html' }), 'HTTP 200 text/html (28 bytes) is not the API\'s answer: "<html>\\n<body>x</body></html>"'],
    [answer(200, undefined, { unread: 'answer larger than 10 bytes; not read further', raw: undefined }), 'HTTP 200 application/json: answer larger than 10 bytes; not read further'],
    [answer(409, '<h1>conflict</h1>', { contentType: 'text/html' }), 'HTTP 409 text/html (17 bytes) is not the API\'s answer: "<h1>conflict</h1>"'],
    [answer(400, 'bad request', { contentType: 'text/plain' }), 'HTTP 400 text/plain (11 bytes) is not the API\'s answer: "bad request"'],
  ];
  for (const [result, error] of cases) {
    assert.deepEqual(summary(classify(result, 'sent')), { status: 'failed', retryable: true, haltsRun: false, error, eventId: 'sent', httpStatus: result.httpStatus }, error);
  }
  const long = classify(answer(200, 'x'.repeat(500), { contentType: 'text/plain' }), 'sent');
  assert.equal(long.error, `HTTP 200 text/plain (500 bytes) is not the API's answer: "${'x'.repeat(60)}"…`, 'the first bytes, cut');
});

test('classify: --accept-answer json takes any JSON 2xx without an error (another JSON API), never HTML or nothing', () => {
  assert.equal(classify(answer(201, { id: 7 }), undefined, 'json').status, 'accepted');
  assert.equal(classify(answer(204, undefined), undefined, 'json').status, 'accepted', '204 No Content');
  assert.deepEqual([classify(answer(200, { error: 'no such customer' }), undefined, 'json').status, classify(answer(200, { error: 'no such customer' }), undefined, 'json').error], ['rejected', 'no such customer']);
  assert.equal(classify(answer(200, '<html></html>', { contentType: 'text/html' }), undefined, 'json').status, 'failed');
  assert.equal(classify(answer(200, undefined), undefined, 'json').status, 'failed', 'an empty 200');
});

test('classify: a non-empty error inside a 200 is rejected, in both the documented and the seed flat shape', () => {
  assert.deepEqual(summary(classify(answer(200, { result: { eventId: 'e', error: 'FAIL_BAD_PARAMS: ERROR: x' } }), 'sent')), {
    status: 'rejected',
    retryable: false,
    haltsRun: false,
    error: 'FAIL_BAD_PARAMS: ERROR: x',
    eventId: 'e',
    httpStatus: 200,
  });
  const flat = classify(answer(200, { eventId: 'flat', error: 'FAIL_SOMETHING' }), 'sent');
  assert.deepEqual([flat.status, flat.eventId, flat.error], ['rejected', 'flat', 'FAIL_SOMETHING']);
  const flatOk = classify(answer(200, { eventId: 'flat', error: '' }), 'sent');
  assert.deepEqual([flatOk.status, flatOk.eventId], ['accepted', 'flat']);
});

test('classify: a 409 error answer means already stored, so accepted', () => {
  const outcome = classify(answer(409, { error: { code: '409-01', message: 'duplicate eventId' } }), 'sent');
  assert.deepEqual(summary(outcome), { status: 'accepted', retryable: false, haltsRun: false, error: undefined, eventId: 'sent', httpStatus: 409 });
});

test('classify: 400 and other 4xx error answers are rejected with the service’s text, not retried', () => {
  const bad = classify(answer(400, { result: { eventId: 'e', error: 'FAIL_BAD_PARAMS: ERROR: lobId: must match' } }), 'sent');
  assert.deepEqual(summary(bad), { status: 'rejected', retryable: false, haltsRun: false, error: 'FAIL_BAD_PARAMS: ERROR: lobId: must match', eventId: 'e', httpStatus: 400 });
  const documented = classify(answer(400, { error: { code: '400-02', message: 'Bad request' } }), 'sent');
  assert.deepEqual([documented.status, documented.error], ['rejected', 'HTTP 400: 400-02 Bad request']);
  for (const status of [405, 413, 422]) {
    const outcome = classify(answer(status, { error: { code: `${status}-01`, message: 'no' } }), 'sent');
    assert.deepEqual([outcome.status, outcome.retryable, outcome.haltsRun, outcome.error], ['rejected', false, false, `HTTP ${status}: ${status}-01 no`], String(status));
  }
});

test('classify: 401 and 403 refuse auth, 404 and a redirect name a wrong URL: each halts the run', () => {
  for (const status of [401, 403]) {
    const outcome = classify(answer(status, { error: { code: `${status}-01`, message: 'no' } }), 'sent');
    assert.deepEqual([outcome.status, outcome.haltsRun, outcome.retryable], ['rejected', true, false], String(status));
    assert.equal(outcome.error, `HTTP ${status}: ${status}-01 no`);
  }
  const missing = classify(answer(404, { error: { code: '404-01', message: 'no such endpoint' } }), 'sent');
  assert.deepEqual([missing.status, missing.haltsRun, missing.error], ['failed', true, 'HTTP 404: 404-01 no such endpoint']);
  const moved = classify(answer(307, '', { contentType: 'text/html', location: 'https://elsewhere.example/x' }), 'sent');
  assert.deepEqual([moved.status, moved.haltsRun, moved.error], ['failed', true, 'HTTP 307 redirect to https://elsewhere.example/x, not followed']);
});

test('classify: 408, 429, 5xx and network errors failed, retryable', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    const outcome = classify(answer(status, { error: { code: `${status}-01`, message: 'later' } }), 'sent');
    assert.deepEqual([outcome.status, outcome.retryable, outcome.haltsRun], ['failed', true, false], String(status));
    assert.equal(outcome.error, `HTTP ${status}: ${status}-01 later`);
  }
  const proxy = classify(answer(502, '<html>Bad Gateway</html>', { contentType: 'text/html' }), 'sent');
  assert.deepEqual([proxy.status, proxy.retryable, proxy.error], ['failed', true, 'HTTP 502 text/html (24 bytes) is not the API\'s answer: "<html>Bad Gateway</html>"']);
  const network = classify({ httpStatus: undefined, body: undefined, networkError: 'ECONNRESET', retryAfterMs: undefined }, 'sent');
  assert.deepEqual(summary(network), { status: 'failed', retryable: true, haltsRun: false, error: 'ECONNRESET', eventId: 'sent', httpStatus: undefined });
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(' 0 '), 0);
  assert.equal(parseRetryAfter('1.5'), 1500);
  assert.equal(parseRetryAfter(['2', '9']), 2000, 'first of repeated headers');
  const now = Date.UTC(2030, 0, 1);
  assert.equal(parseRetryAfter(new Date(now + 10_000).toUTCString(), now), 10_000);
  assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter(new Date(now - 5000).toUTCString(), now), 0, 'a date in the past: no wait');
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(''), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

test('backoff: 429 from 1 s, 5xx/network from 250 ms, doubling, equal jitter; Retry-After wins; capped', () => {
  const low = () => 0;
  const high = () => 0.999999;
  const half = () => 0.5;
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay({ ...BACKOFF, retries: 5 }, n, 429, undefined, high)), [1000, 2000, 4000, 8000]);
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay({ ...BACKOFF, retries: 5 }, n, 503, undefined, high)), [250, 500, 1000, 2000]);
  assert.deepEqual([1, 2, 3].map((n) => retryDelay({ ...BACKOFF, retries: 5 }, n, undefined, undefined, high)), [250, 500, 1000], 'network errors like 5xx');
  assert.deepEqual([1, 2, 3].map((n) => retryDelay({ ...BACKOFF, retries: 5 }, n, 408, undefined, high)), [250, 500, 1000]);
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 3, 429, undefined, low), 2000, 'jitter floor: half the backoff');
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 1, 503, undefined, low), 125);
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 3, 429, undefined, half), 3000);
  for (let i = 0; i < 200; i++) {
    const delay = retryDelay({ ...BACKOFF, retries: 5 }, 2, 429);
    assert.ok(delay >= 1000 && delay <= 2000, `jitter within [1000, 2000]: ${delay}`);
  }
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 5, 503, 1234, low), 1234, 'Retry-After wins over backoff');
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 1, 429, 0, high), 0, 'Retry-After: 0 means now');
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 1, 429, 60 * 60_000, high), { ...BACKOFF, retries: 5 }.maxDelayMs, 'Retry-After capped');
  assert.equal(retryDelay({ ...BACKOFF, retries: 5 }, 40, 503, undefined, high), { ...BACKOFF, retries: 5 }.maxDelayMs, 'backoff capped');
  const policy = { ...{ ...BACKOFF, retries: 5 }, maxDelayMs: 3000 };
  assert.equal(retryDelay(policy, 10, 429, undefined, high), 3000);
  assert.equal(retryDelay(policy, 10, 429, undefined, low), 1500);
});

test('generated eventIds: content ids follow the record and its scope, never its place; position ids follow both; all fit the API', () => {
  const content = (scope, json) => generateEventId(contentHash(scope, json));
  const position = (row, json) => generateEventId(rowHash(row, json));
  const a = content('conversation', '{"x":1}');
  assert.equal(a, content('conversation', '{"x":1}'));
  assert.equal(a, `bs-${createHash('sha1').update('conversation\n{"x":1}').digest('hex')}`, 'the SHA-1 of the scope and the record');
  assert.notEqual(a, content('conversation', '{"x":2}'), 'a changed record is a new event');
  assert.notEqual(a, content('agent', '{"x":1}'), 'another kind, another id');
  assert.notEqual(a, content('/tickets', '{"x":1}'), 'another --path, another id');
  assert.equal(position(1, '{"x":1}'), position(1, '{"x":1}'));
  assert.notEqual(position(1, '{"x":1}'), position(2, '{"x":1}'));
  assert.notEqual(position(11, '{"x":1}'), position(1, '1{"x":1}'), 'row and content do not run together');
  for (const id of [a, position(10_000_000, 'x'.repeat(100_000)), content('', '')]) {
    assert.match(id, /^[a-zA-Z0-9\-_]+$/);
    assert.ok(id.length <= 256, `${id.length} characters`);
  }
});

test('the digest under content ids: the record and its position; the same record at two rows, two digests', () => {
  const halves = (hash) => [hashHigh(hash), hashLow(hash)];
  const hash = contentHash('conversation', '{"x":1}');
  const digest = positionedDigest(...halves(hash), 5);
  assert.match(digest, /^[0-9a-f]{16}$/);
  assert.equal(digest, positionedDigest(...halves(hash), 5));
  assert.notEqual(digest, positionedDigest(...halves(hash), 6));
  assert.notEqual(digest, positionedDigest(...halves(contentHash('conversation', '{"x":2}')), 5));
  assert.notEqual(digest, hash.slice(0, 16), 'never the id\'s own digits: that is how a report tells the position rule');
  const seen = new Set();
  for (let row = 1; row <= 10_000; row++) seen.add(positionedDigest(...halves(hash), row));
  assert.equal(seen.size, 10_000, 'no two rows alike');
});

/**
 * The loop runParcels (src/job/run-parcels.ts) drives its Slots with: start a task, then wait for a free
 * slot before pulling the next item; stop pulling on the signal or a failed task; drain at the end.
 */
async function forEachBounded(items, concurrency, worker, signal) {
  if (signal?.aborted) return;
  const slots = new Slots(concurrency);
  try {
    for await (const item of items) {
      slots.start(() => worker(item));
      if (!(await slots.free(signal))) break;
    }
  } finally {
    await slots.drain();
  }
}

/** An async source of 0..n-1 that counts how many items were pulled from it. */
function counted(n) {
  const state = { pulled: 0, returned: false };
  state.items = (async function* () {
    try {
      for (let i = 0; i < n; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.returned = true;
    }
  })();
  return state;
}

test('forEachBounded never has more than N in flight, and uses all N', async () => {
  const source = counted(30);
  let inFlight = 0;
  let max = 0;
  const seen = [];
  await forEachBounded(source.items, 3, async (i) => {
    inFlight++;
    max = Math.max(max, inFlight);
    await tick(i % 3);
    seen.push(i);
    inFlight--;
  });
  assert.equal(max, 3);
  assert.deepEqual(seen.sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i), 'every item once');
});

test('forEachBounded pulls lazily: with concurrency 2 and a slow worker the source is never read more than 2 ahead', async () => {
  const source = counted(12);
  let done = 0;
  let maxAhead = 0;
  const releases = [];
  const run = forEachBounded(source.items, 2, async () => {
    maxAhead = Math.max(maxAhead, source.pulled - done);
    await new Promise((resolve) => releases.push(resolve));
    done++;
  });
  await waitFor(() => releases.length === 2, 'both workers to start');
  // Both workers are stuck: whatever forEachBounded would pull next, it pulls within a turn of the loop.
  await settle();
  assert.equal(source.pulled, 2, 'two pulled while both workers are stuck');
  assert.equal(releases.length, 2);
  for (let k = 0; k < 12; k++) {
    // Release the workers one at a time, oldest first; each release may let exactly one more item in.
    await waitFor(() => releases[k] !== undefined, `item ${k} to reach a worker`);
    releases[k]();
    await settle();
    assert.ok(source.pulled - done <= 2, `read ahead ${source.pulled - done} after ${done} done`);
  }
  await run;
  assert.equal(done, 12);
  assert.ok(maxAhead <= 2, `read ahead ${maxAhead}`);
});

test('forEachBounded stops pulling once the signal aborts and lets in-flight work finish', async () => {
  const source = counted(100);
  const controller = new AbortController();
  let finished = 0;
  await forEachBounded(
    source.items,
    1,
    async (i) => {
      if (i === 4) controller.abort();
      await tick(1);
      finished++;
    },
    controller.signal,
  );
  assert.equal(source.pulled, 5, 'nothing pulled after the abort');
  assert.equal(finished, 5, 'the item in flight finished');
  assert.equal(source.returned, true, 'the source was closed');

  const early = counted(10);
  const aborted = AbortSignal.abort();
  let calls = 0;
  await forEachBounded(early.items, 4, async () => void calls++, aborted);
  assert.deepEqual([early.pulled, calls], [0, 0], 'an already-aborted signal pulls nothing');
});

test('forEachBounded rethrows the first worker error, after in-flight work has settled, and stops pulling', async () => {
  const source = counted(100);
  let started = 0;
  let settled = 0;
  const error = await forEachBounded(source.items, 4, async (i) => {
    started++;
    try {
      if (i === 1) throw new Error('boom');
      if (i === 2) {
        await tick(5);
        throw new Error('second');
      }
      await tick(20);
    } finally {
      settled++;
    }
  }).then(
    () => assert.fail('should reject'),
    (e) => e,
  );
  assert.equal(error.message, 'boom', 'the first error, not a later one');
  assert.equal(settled, started, 'every started worker had settled when the error surfaced');
  assert.ok(source.pulled <= 5, `pulling stopped after the error (${source.pulled})`);
  assert.equal(source.returned, true);
});

test('classifyBatch matches by eventId, not by position; a missing result fails', () => {
  const items = ['a', 'b', 'c'];
  const outcomes = classifyBatch(answer(200, { errorCount: 1, results: [{ eventId: 'b', error: 'FAIL_X: no' }, { eventId: 'a', error: '' }] }), items);
  assert.deepEqual(outcomes.map((o) => o.status), ['accepted', 'rejected', 'failed']);
  assert.equal(outcomes[2].retryable, true);
  assert.deepEqual(classifyBatch(answer(503, {}), items).map((o) => o.status), ['failed', 'failed', 'failed']);
});

test('classifyBatch: a 200 without results accepts no item, under either rule; an error in the single shape rejects them all', () => {
  const items = ['a', 'b'];
  for (const body of [{ result: { eventId: 'a', error: '' } }, { status: 'ok' }, {}, { errorCount: '0', results: [{ eventId: 'a', error: '' }] }]) {
    for (const rule of ['api', 'json']) {
      const outcomes = classifyBatch(answer(200, body), items, rule);
      assert.deepEqual(outcomes.map((o) => [o.status, o.retryable]), [['failed', true], ['failed', true]], `${JSON.stringify(body)} under ${rule}`);
      assert.match(outcomes[0].error, /is not the API's answer/);
    }
  }
  const refused = classifyBatch(answer(200, { result: { error: 'FAIL_BAD_PARAMS: ERROR: items' } }), items);
  assert.deepEqual(refused.map((o) => [o.status, o.error]), [['rejected', 'FAIL_BAD_PARAMS: ERROR: items'], ['rejected', 'FAIL_BAD_PARAMS: ERROR: items']]);
  assert.deepEqual(classifyBatch(answer(409, { error: { code: '409-01', message: 'stored' } }), items).map((o) => o.status), ['accepted', 'accepted'], 'a 409 error answer: all stored');
});
