// "Accepted" means the API said so. Against endpoints that are not the Metadata Ingestion API (a sign-in
// page, an empty 200, another JSON shape, broken JSON, a 404 for the path, a gzip bomb, an enormous or an
// endless answer, a redirect to another host) no row is accepted, the run stops within its first requests
// (exit 3) with a line saying what came back, and memory stays bounded whatever the answer's size.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMPOSTORS, startImpostor } from '../helpers/impostor.js';
import { readNdjson, readStore, runCli, SAMPLES, startCli, startStoringServe, tempDir, withServe } from '../helpers/cli.js';
import { withScripted } from '../helpers/scripted-server.js';
import { peakRssWhile } from '../helpers/rss.js';

const ROWS = 20;
const MB = 1024 * 1024;

/** What the stop line says, by impostor. */
const STOPS = {
  html: /the endpoint does not answer like the Metadata Ingestion API: check --endpoint and any proxy \(POST http:\/\/127\.0\.0\.1:\d+\/metadata-ingestion\/v1\/\S+: HTTP 200 text\/html \(\d+ bytes\) is not the API's answer: "<!doctype html>/,
  empty: /does not answer like the Metadata Ingestion API.*HTTP 200 with no Content-Type \(0 bytes\) is not the API's answer: an empty body/,
  'other-json': /does not answer like the Metadata Ingestion API.*HTTP 200 application\/json \(15 bytes\) is not the API's answer: "\{\\"status\\":\\"ok\\"\}"/,
  'invalid-json': /does not answer like the Metadata Ingestion API.*is not the API's answer: "\{\\"result\\": \{\\"eventId\\"/,
  'not-found': /POST http:\/\/127\.0\.0\.1:\d+\/v2\/oops\/metadata-ingestion\/v1\/\S+ answered HTTP 404: 404-01 no such endpoint.*: the URL is wrong, not the rows; check --endpoint/,
  'gzip-bomb': /does not answer like the Metadata Ingestion API.*answer larger than 1048576 bytes once decompressed \(gzip\)/,
  huge: /does not answer like the Metadata Ingestion API.*answer larger than 1048576 bytes \(Content-Length 314572800\); not read/,
  endless: /does not answer like the Metadata Ingestion API.*answer larger than 1048576 bytes; not read further/,
  redirect: /answered HTTP 307 redirect to http:\/\/127\.0\.0\.1:\d+\/\S+, not followed: bulk-submit follows no redirect/,
};

for (const kind of IMPOSTORS) {
  for (const mode of ['single', 'batch']) {
    test(`${kind}, ${mode}: no row accepted, the run stops (exit 3) saying what came back, peak RSS under 300 MB`, async () => {
      const impostor = await startImpostor(kind);
      try {
        const cwd = tempDir();
        const rows = Array.from({ length: ROWS }, (_, i) => JSON.stringify({ externalConversationId: `imp-${i}` })).join('\n');
        writeFileSync(join(cwd, 'in.ndjson'), `${rows}\n`);
        const endpoint = kind === 'not-found' ? `${impostor.url}/v2/oops` : impostor.url;
        const args = ['submit', 'in.ndjson', '-e', endpoint, '--timeout', '20s', '--report', 'report.ndjson', ...(mode === 'single' ? ['--batch-size', '1'] : [])];
        const run = startCli(args, { cwd, env: { ASAPP_API_ID: 'id-1', ASAPP_API_SECRET: 'secret-1' } });
        run.child.stdin.end();
        const peak = await peakRssWhile(run.child, run.exited);
        const result = await run.exited;
        const report = readNdjson(join(cwd, 'report.ndjson'));
        assert.equal(result.code, 3, result.stderr);
        assert.match(result.stderr, STOPS[kind]);
        assert.equal(report.filter((l) => l.status === 'accepted').length, 0, 'no row accepted');
        assert.ok(report.length > 0 && report.every((l) => l.status === 'failed'), `the rows sent are failed: ${JSON.stringify(report[0])}`);
        assert.ok(impostor.requests.length <= 8, `stopped within its first requests, not after ${impostor.requests.length}`);
        assert.ok(peak > 0 && peak < 300 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
        if (kind === 'redirect') {
          assert.equal(impostor.requests[0].headers['asapp-api-secret'], 'secret-1', 'the credentials went to the endpoint');
          assert.equal(impostor.elsewhere.requests.length, 0, 'nothing, credentials least of all, reached the other host');
        }
      } finally {
        await impostor.close();
      }
    });
  }
}

test('an answer that is not the API\'s is retried: a sign-in page now and then mid-run (serve --html-rate) loses no row, and stores each once', async () => {
  const serve = await startStoringServe(['--html-rate', '0.2']);
  try {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), `${Array.from({ length: 300 }, (_, i) => JSON.stringify({ externalConversationId: `mid-${i}` })).join('\n')}\n`);
    for (const [mode, args] of [['single', ['--batch-size', '1']], ['batch', ['--batch-size', '10']]]) {
      const result = await runCli(['submit', 'in.ndjson', '-e', serve.url, '--rate', '0', '--concurrency', '2', '--report', `${mode}.ndjson`, ...args], { cwd });
      assert.equal(result.code, 0, result.stderr);
      const report = readNdjson(join(cwd, `${mode}.ndjson`));
      assert.equal(report.filter((l) => l.status === 'accepted').length, 300, mode);
      assert.ok(report.some((l) => l.attempts > 1), `${mode}: some rows needed a second try`);
    }
    const stopped = await serve.stop();
    assert.match(stopped.stderr, /injected: html \d+/, 'serve answered pages');
    const stored = readStore(serve.store).map((s) => s.record.externalConversationId);
    assert.equal(new Set(stored).size, 300);
    assert.equal(stored.length, 300, 'a retried row is stored once (its eventId)');
  } finally {
    await serve.stop();
  }
});

test('serve --html-rate 1 shows the stop: exit 3, one line, nothing accepted', async () => {
  await withServe(['--html-rate', '1'], async (serve) => {
    const cwd = tempDir();
    const result = await runCli(['submit', join(SAMPLES, 'conversations.csv'), '-e', serve.url, '--report', 'r.ndjson'], { cwd });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /bulk-submit: aborted: the endpoint does not answer like the Metadata Ingestion API: check --endpoint and any proxy \(POST .*: HTTP 200 text\/html \(\d+ bytes\) is not the API's answer: "<!doctype html>/);
    assert.equal(readNdjson(join(cwd, 'r.ndjson')).filter((l) => l.status === 'accepted').length, 0);
  });
});

test('another JSON API (--path, --schema): any JSON 2xx accepts by default there, --accept-answer api refuses it; HTML never accepts', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'schema.json'), JSON.stringify({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }));
  writeFileSync(join(cwd, 'in.csv'), 'id\nt-1\nt-2\n');
  await withScripted((request) => ({ status: 201, body: { id: JSON.parse(request.body).id, created: true } }), async (server) => {
    const json = await runCli(['submit', 'in.csv', '-e', server.url, '--schema', 'schema.json', '--path', '/tickets', '--report', 'json.ndjson'], { cwd });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(readNdjson(join(cwd, 'json.ndjson')).filter((l) => l.status === 'accepted').length, 2);
    const strict = await runCli(['submit', 'in.csv', '-e', server.url, '--schema', 'schema.json', '--path', '/tickets', '--accept-answer', 'api', '--retries', '0', '--report', 'api.ndjson'], { cwd });
    assert.equal(strict.code, 1, strict.stderr);
    assert.deepEqual(readNdjson(join(cwd, 'api.ndjson')).map((l) => l.status), ['failed', 'failed']);
  });
  await withScripted(() => ({ status: 200, body: '<html>hello</html>', headers: { 'content-type': 'text/html' } }), async (server) => {
    const html = await runCli(['submit', 'in.csv', '-e', server.url, '--schema', 'schema.json', '--path', '/tickets', '--report', 'html.ndjson'], { cwd });
    assert.equal(html.code, 3, html.stderr);
    assert.match(html.stderr, /the endpoint does not answer JSON: check --endpoint and any proxy/);
    assert.equal(readNdjson(join(cwd, 'html.ndjson')).filter((l) => l.status === 'accepted').length, 0);
  });
});
