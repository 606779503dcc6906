import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchBody, batches, classifyBatch } from '../../dist/submit/batch.js';
import { forEachBounded } from '../../dist/submit/bounded.js';
import { parseRetryAfter } from '../../dist/submit/client.js';
import { generateEventId } from '../../dist/submit/event-id.js';
import { classify } from '../../dist/submit/outcome.js';
import { DEFAULT_RETRY, retryDelay } from '../../dist/submit/retry.js';

const answer = (httpStatus, body, extra = {}) => ({ httpStatus, body, networkError: undefined, retryAfterMs: undefined, ...extra });

test('classify: accepted, rejected, failed, auth', () => {
  assert.equal(classify(answer(200, { result: { eventId: 'e', error: '' } }), 'e').status, 'accepted');
  assert.equal(classify(answer(200, { result: { eventId: 'e', error: '  ' } }), 'e').status, 'accepted', 'blank error');
  assert.equal(classify(answer(200, { eventId: 'flat', error: '' }), 'e').eventId, 'flat', 'seed flat shape');
  const inside200 = classify(answer(200, { result: { eventId: 'e', error: 'FAIL_BAD_PARAMS: ERROR: x' } }), 'e');
  assert.deepEqual([inside200.status, inside200.error], ['rejected', 'FAIL_BAD_PARAMS: ERROR: x']);
  assert.equal(classify(answer(409, { error: { code: '409-01', message: 'dup' } }), 'e').status, 'accepted');
  assert.equal(classify(answer(400, { result: { eventId: 'e', error: 'FAIL_BAD_PARAMS: ERROR: y' } }), 'e').error, 'FAIL_BAD_PARAMS: ERROR: y');
  for (const status of [408, 429, 500, 503]) {
    const outcome = classify(answer(status, {}), 'e');
    assert.deepEqual([outcome.status, outcome.retryable], ['failed', true], String(status));
  }
  assert.equal(classify(answer(422, {}), 'e').retryable, false);
  assert.equal(classify(answer(401, {}), 'e').authRefused, true);
  assert.equal(classify(answer(403, {}), 'e').authRefused, true);
  const network = classify({ httpStatus: undefined, body: undefined, networkError: 'ECONNRESET', retryAfterMs: undefined }, 'e');
  assert.deepEqual([network.status, network.retryable, network.error], ['failed', true, 'ECONNRESET']);
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)), 10_000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

test('backoff: 429 from 1 s, 5xx from 250 ms, doubling, jittered within half; Retry-After wins', () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.equal(retryDelay(DEFAULT_RETRY, 1, 429, undefined, high), 1000);
  assert.equal(retryDelay(DEFAULT_RETRY, 3, 429, undefined, high), 4000);
  assert.equal(retryDelay(DEFAULT_RETRY, 3, 429, undefined, low), 2000);
  assert.equal(retryDelay(DEFAULT_RETRY, 1, 503, undefined, high), 250);
  assert.equal(retryDelay(DEFAULT_RETRY, 2, undefined, undefined, high), 500);
  assert.equal(retryDelay(DEFAULT_RETRY, 5, 503, 1234, low), 1234);
  assert.equal(retryDelay(DEFAULT_RETRY, 40, 503, undefined, high), DEFAULT_RETRY.maxDelayMs);
});

test('generated eventIds are deterministic, per row and content, and fit the API', () => {
  const a = generateEventId(1, '{"x":1}');
  assert.equal(a, generateEventId(1, '{"x":1}'));
  assert.notEqual(a, generateEventId(2, '{"x":1}'));
  assert.notEqual(a, generateEventId(1, '{"x":2}'));
  assert.match(a, /^[a-zA-Z0-9\-_]{1,256}$/);
});

test('forEachBounded: never more than N in flight, pulls lazily, stops on abort, rethrows', async () => {
  let pulled = 0;
  let inFlight = 0;
  let max = 0;
  let maxAhead = 0;
  let done = 0;
  async function* source() {
    for (let i = 0; i < 20; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - done);
      yield i;
    }
  }
  await forEachBounded(source(), 3, async () => {
    inFlight++;
    max = Math.max(max, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    done++;
  });
  assert.equal(done, 20);
  assert.equal(max, 3);
  assert.ok(maxAhead <= 4, `read ahead ${maxAhead}`);

  const controller = new AbortController();
  let seen = 0;
  await forEachBounded(source(), 2, async () => {
    if (++seen === 5) controller.abort();
  }, controller.signal);
  assert.ok(seen <= 6, `stopped after abort (${seen})`);

  let finished = 0;
  await assert.rejects(
    forEachBounded(source(), 4, async (i) => {
      await new Promise((r) => setTimeout(r, 5));
      if (i === 2) throw new Error('boom');
      finished++;
    }),
    /boom/,
  );
  assert.ok(finished >= 3, 'in-flight work settled before the error surfaced');
});

test('batches: full batches, duplicate ids start a new batch, a slow source flushes after the wait', async () => {
  async function* items(list, gapMs = 0) {
    for (const item of list) {
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      yield item;
    }
  }
  const list = ['a', 'b', 'c', 'c', 'd'].map((id) => ({ eventId: id, body: `{"eventId":"${id}"}` }));
  const sizes = [];
  for await (const batch of batches(items(list), 2, 10_000)) sizes.push(batch.map((b) => b.eventId).join(''));
  assert.deepEqual(sizes, ['ab', 'c', 'cd']);
  const slow = [];
  for await (const batch of batches(items(list.slice(0, 3), 60), 1000, 20)) slow.push(batch.length);
  assert.deepEqual(slow, [1, 1, 1], 'each row waited for more than --batch-wait');
  assert.equal(batchBody(list.slice(0, 2)), '{"items":[{"eventId":"a"},{"eventId":"b"}]}');
});

test('classifyBatch matches by eventId, not by position; a missing result fails', () => {
  const items = [{ eventId: 'a', body: '{}' }, { eventId: 'b', body: '{}' }, { eventId: 'c', body: '{}' }];
  const outcomes = classifyBatch(answer(200, { errorCount: 1, results: [{ eventId: 'b', error: 'FAIL_X: no' }, { eventId: 'a', error: '' }] }), items);
  assert.deepEqual(outcomes.map((o) => o.status), ['accepted', 'rejected', 'failed']);
  assert.equal(outcomes[2].retryable, true);
  assert.deepEqual(classifyBatch(answer(503, {}), items).map((o) => o.status), ['failed', 'failed', 'failed']);
});
