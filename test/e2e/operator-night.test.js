// The operator's night (issue 27): what cannot work is refused before sending, a misspelt variable is
// named, the metrics stay few, the report page counts dropped rows for what they are.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, SAMPLES, tempDir, withServe } from '../helpers/cli.js';

/** A proxy on 127.0.0.1 that counts the connections made to it and refuses every CONNECT. */
async function countingProxy() {
  const seen = [];
  const server = createServer((socket) => {
    socket.once('data', (head) => {
      seen.push(String(head).split('\r\n')[0]);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const noCredentials = { ASAPP_API_ID: '', ASAPP_API_SECRET: '' };

test('missing credentials for an API host are refused before the first request (exit 2), naming what is unset; loopback runs without them', async () => {
  const proxy = await countingProxy();
  try {
    const cwd = tempDir();
    const base = ['submit', '-e', 'https://api.sandbox.asapp.com', '--max-outage', '1s', '--retries', '0', join(SAMPLES, 'conversations.csv')];
    const none = await runCli(base, { cwd, env: { ...noCredentials, HTTPS_PROXY: proxy.url } });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /^bulk-submit: error: ASAPP_API_ID and ASAPP_API_SECRET are not set: api\.sandbox\.asapp\.com would refuse every request \(401\)\. .*nothing was sent$/m);
    const half = await runCli(base, { cwd, env: { ...noCredentials, ASAPP_API_SECRET: 's', HTTPS_PROXY: proxy.url } });
    assert.equal(half.code, 2, half.stderr);
    assert.match(half.stderr, /error: ASAPP_API_ID is not set: /);
    assert.deepEqual(proxy.seen, [], 'no connection was made');
    // With both, the same run goes out (through the proxy, which refuses it): the check is the only difference.
    const both = await runCli([...base, '--force'], { cwd, env: { ASAPP_API_ID: 'i', ASAPP_API_SECRET: 's', HTTPS_PROXY: proxy.url } });
    assert.notEqual(both.code, 2, both.stderr);
    assert.match(proxy.seen[0] ?? '', /^CONNECT api\.sandbox\.asapp\.com:443 /);
  } finally {
    await proxy.close();
  }
  await withServe([], async (server) => {
    const local = await runCli(['submit', '-e', server.url, join(SAMPLES, 'conversations.csv')], { cwd: tempDir(), env: noCredentials });
    assert.equal(local.code, 0, local.stderr);
  });
});

test('a BULK_SUBMIT_* variable that no option reads is named once on stderr, with the closest; a bad value names its variable in the usual line', async () => {
  const cwd = tempDir();
  const run = await runCli(['validate', join(SAMPLES, 'conversations.csv')], { cwd, env: { BULK_SUBMIT_CONCURENCY: '4', BULK_SUBMIT_XYZZY: '1' } });
  assert.equal(run.code, 0, run.stderr);
  const warnings = run.stderr.split('\n').filter((line) => line.includes('warning'));
  assert.deepEqual(warnings, [
    'bulk-submit: warning: BULK_SUBMIT_CONCURENCY is not the variable of any option, and is ignored (did you mean BULK_SUBMIT_CONCURRENCY?)',
    'bulk-submit: warning: BULK_SUBMIT_XYZZY is not the variable of any option, and is ignored',
  ]);
  const bad = await runCli(['submit', '--dry-run', join(SAMPLES, 'conversations.csv')], { cwd, env: { BULK_SUBMIT_CONCURRENCY: 'lots' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^bulk-submit: error: option '-c, --concurrency <n\|auto>' value 'lots' from env 'BULK_SUBMIT_CONCURRENCY' is invalid\. must be a whole number/m);
  const good = await runCli(['validate', join(SAMPLES, 'conversations.csv')], { cwd, env: { BULK_SUBMIT_TIMEZONE: 'UTC' } });
  assert.doesNotMatch(good.stderr, /warning/, 'a variable an option reads is no warning');
});

test('the metrics\' job name defaults to the input\'s name without its dates, or the --config file\'s; the report path is never a label', async () => {
  const { defaultMetricsJob } = await import('../../dist/index.js');
  assert.equal(defaultMetricsJob(['incoming/conversations-2026-12-05.csv.gz'], undefined), 'conversations');
  assert.equal(defaultMetricsJob(['exports/2026_12_05-agents.ndjson'], undefined), 'agents');
  assert.equal(defaultMetricsJob(['x/customers.20261205T021000Z.jsonl'], undefined), 'customers');
  assert.equal(defaultMetricsJob(['https://files.example.com/conv-2026-12.csv?X-Amz-Signature=abc'], undefined), 'conv');
  assert.equal(defaultMetricsJob(['-'], undefined), 'stdin');
  assert.equal(defaultMetricsJob(['day.csv'], '/etc/bulk-submit/nightly-conversations.json'), 'nightly-conversations');
  await withServe([], async (server) => {
    const cwd = tempDir();
    for (const day of ['2026-12-04', '2026-12-05']) {
      writeFileSync(join(cwd, `export-${day}.ndjson`), `{"externalConversationId":"c-${day}","platform":"WEB"}\n`);
      const run = await runCli(['submit', '-e', server.url, '--report', `${day}.report.ndjson`, '--metrics-file', `${day}.prom`, `export-${day}.ndjson`], { cwd });
      assert.equal(run.code, 0, run.stderr);
    }
    const { readFileSync } = await import('node:fs');
    const labels = (day) => [...readFileSync(join(cwd, `${day}.prom`), 'utf8').matchAll(/^bulk_submit_\w+\{([^}]*)\}/gm)].map((m) => m[1].replace(/(status|class|quantile)="[^"]*",?/, ''));
    assert.deepEqual(new Set(labels('2026-12-04')), new Set(['bulk_job="export"']), 'one job label, the same both nights');
    assert.deepEqual(new Set(labels('2026-12-05')), new Set(labels('2026-12-04')));
    const named = await runCli(['validate', '--metrics-file', 'v.prom', '--metrics-job', 'nightly', 'export-2026-12-05.ndjson'], { cwd });
    assert.match(readFileSync(join(cwd, 'v.prom'), 'utf8'), /bulk_submit_rows\{status="valid",bulk_job="nightly"\} 1/, named.stderr);
  });
});

test('report --html: rows dropped by --transform are named in the verdict, not folded into "every row accepted"', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), Array.from({ length: 10 }, (_, i) => `{"externalConversationId":"d-${i}","platform":"WEB"}`).join('\n') + '\n');
  writeFileSync(join(cwd, 'drop.mjs'), "export default (record, row) => (row.row % 5 === 0 ? null : record);\n");
  await withServe([], async (server) => {
    const run = await runCli(['submit', '-e', server.url, '--transform', 'drop.mjs', '--report', 'r.ndjson', 'in.ndjson'], { cwd });
    assert.equal(run.code, 0, run.stderr);
  });
  const report = await runCli(['report', '--html', 'r.html', '--inputs', 'in.ndjson', 'r.ndjson'], { cwd });
  assert.equal(report.code, 0, report.stderr);
  const { readFileSync } = await import('node:fs');
  const verdict = /<div class="verdict[^"]*">([^<]*)<\/div>/.exec(readFileSync(join(cwd, 'r.html'), 'utf8'))[1];
  assert.equal(verdict, 'complete: 8 rows accepted exactly once, 2 dropped by --transform (never sent, by design)');
});
