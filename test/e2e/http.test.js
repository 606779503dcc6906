// Outcome classification and the request itself, against a scripted server on 127.0.0.1.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, runCli, SAMPLES, tempDir } from '../helpers/cli.js';
import { ok, withScripted } from '../helpers/scripted-server.js';

const sample = (name) => join(SAMPLES, name);

function csv(rows) {
  return `External Conversation ID,Device Type\n${Array.from({ length: rows }, (_, i) => `c-${i + 1},PHONE`).join('\n')}\n`;
}

test('200 with an error is rejected; the seed flat shape is accepted; 500 fails; 422 is rejected', async () => {
  await withScripted((request) => {
    const { externalConversationId: id, eventId } = JSON.parse(request.body);
    if (id === 'c-1') return { status: 200, body: { result: { eventId, error: 'FAIL_BAD_PARAMS: ERROR: agent id cannot be blank' } } };
    if (id === 'c-2') return { status: 200, body: { eventId: '5484e507-feaf-11ec-bfc1-fda566fa9333', error: '' } };
    if (id === 'c-3') return { status: 500, body: { error: { requestId: 'r', code: '500-01', message: 'boom' } } };
    if (id === 'c-4') return { status: 422, body: { error: { requestId: 'r', code: '422-01', message: 'unprocessable' } } };
    return ok(request);
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.csv'), csv(5));
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--retries', '0', 'in.csv', '--rejects', 'rej.csv'], { cwd });
    assert.equal(result.code, 1);
    const byRow = new Map(readNdjson(join(cwd, 'in.csv.report.ndjson')).map((l) => [l.row, l]));
    assert.equal(byRow.get(1).status, 'rejected');
    assert.equal(byRow.get(1).httpStatus, 200);
    assert.equal(byRow.get(1).error, 'FAIL_BAD_PARAMS: ERROR: agent id cannot be blank');
    assert.equal(byRow.get(2).status, 'accepted');
    assert.equal(byRow.get(2).eventId, '5484e507-feaf-11ec-bfc1-fda566fa9333', 'the id the service gave');
    assert.equal(byRow.get(3).status, 'failed');
    assert.equal(byRow.get(3).error, 'HTTP 500: 500-01 boom');
    assert.equal(byRow.get(4).status, 'rejected');
    assert.equal(byRow.get(5).status, 'accepted');
    assert.match(result.stderr, /accepted\s+2\n\s+rejected\s+2\n\s+failed\s+1/);
  });
});

test('the request: path, JSON body with eventId, credentials from env, extra headers', async () => {
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.csv'), csv(2));
    writeFileSync(join(cwd, 'headers.txt'), '# secrets\nX-From-File: yes\n');
    const result = await runCli(['submit', '-e', `${server.url}/prefix/`, '--batch-size', '1', 'in.csv', '-H', 'X-Trace: 1', '--header-file', 'headers.txt'], {
      cwd,
      env: { ASAPP_API_ID: 'the-id', ASAPP_API_SECRET: 'the-secret' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.requests.length, 2);
    const [first] = server.requests;
    assert.equal(first.method, 'POST');
    assert.equal(first.url, '/prefix/metadata-ingestion/v1/single-convo-metadata');
    assert.equal(first.headers['asapp-api-id'], 'the-id');
    assert.equal(first.headers['asapp-api-secret'], 'the-secret');
    assert.equal(first.headers['x-trace'], '1');
    assert.equal(first.headers['x-from-file'], 'yes');
    assert.equal(first.headers['content-type'], 'application/json');
    const body = JSON.parse(first.body);
    assert.match(body.eventId, /^bs-[0-9a-f]{40}$/);
    assert.equal(body.deviceType, 'PHONE');
    assert.doesNotMatch(result.stderr + result.stdout, /the-secret/);
  });
});

test('--concurrency bounds the requests in flight', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 30 }), async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.csv'), csv(24));
    const result = await runCli(['submit', '-e', server.url, '--concurrency', '3', '--batch-size', '1', 'in.csv'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.requests.length, 24);
    assert.equal(server.maxInFlight, 3);
  });
});

test('--schema and --path load any JSON API', async () => {
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'thing.schema.json'),
      JSON.stringify({
        type: 'object',
        additionalProperties: false,
        required: ['sku'],
        properties: { eventId: { type: 'string' }, sku: { type: 'string', pattern: '^[A-Z]+-\\d+$' }, qty: { type: 'integer' }, gift: { type: 'boolean' } },
      }),
    );
    writeFileSync(join(cwd, 'things.csv'), 'SKU,Qty,Gift\nAB-1,3,yes\nbad,x,no\n');
    const result = await runCli(['submit', '-e', server.url, '--schema', 'thing.schema.json', '--path', '/v2/things', 'things.csv'], { cwd });
    assert.equal(result.code, 1);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].url, '/v2/things');
    const body = JSON.parse(server.requests[0].body);
    assert.equal(body.qty, 3);
    assert.equal(body.gift, true);
    const report = readNdjson(join(cwd, 'things.csv.report.ndjson'));
    const bad = report.find((l) => l.row === 2);
    assert.match(bad.error, /qty: must be an integer \(got "x"\)/);
    assert.match(bad.error, /sku: must match/);
  });
});

test('batch mode: many-* endpoint, results matched by eventId not position, a missing result is failed', async () => {
  let calls = 0;
  await withScripted((request) => {
    calls++;
    const { items } = JSON.parse(request.body);
    // Answer in reverse order; on the first call leave the last item's result out.
    const results = items.map((item) => ({ eventId: item.eventId, error: item.externalConversationId === 'c-2' ? 'FAIL_BAD_PARAMS: ERROR: nope' : '' }));
    if (calls === 1) results.pop();
    return { status: 200, body: { errorCount: 1, results: results.reverse() } };
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.csv'), csv(5));
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '10', '--retries', '2', 'in.csv'], { cwd });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(server.requests[0].url, '/metadata-ingestion/v1/many-convo-metadata');
    assert.equal(JSON.parse(server.requests[0].body).items.length, 5);
    assert.equal(JSON.parse(server.requests[1].body).items.length, 1, 'only the item without a result is re-sent');
    const byRow = new Map(readNdjson(join(cwd, 'in.csv.report.ndjson')).map((l) => [l.row, l]));
    assert.equal(byRow.get(2).status, 'rejected');
    assert.equal(byRow.get(2).error, 'FAIL_BAD_PARAMS: ERROR: nope');
    assert.equal(byRow.get(5).status, 'accepted');
    assert.equal(byRow.get(5).attempts, 2);
    assert.equal(byRow.get(1).attempts, 1);
    assert.equal(JSON.parse(server.requests[1].body).items[0].eventId, byRow.get(5).eventId, 'same eventId on retry');
  });
});

test('credentials are never sent over plain http to a host that is not loopback', async () => {
  const cwd = tempDir();
  const result = await runCli(['submit', '-e', 'http://bulk-submit.invalid', sample('conversations.csv')], { cwd, env: { ASAPP_API_SECRET: 's' } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /refusing to send credentials over plain http/);
});
