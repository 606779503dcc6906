// What an operator sees: progress with and without a terminal, secrets never written, the report lock,
// --help, settings precedence.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { ok, withScripted } from '../helpers/scripted-server.js';

function rows(n) {
  return `${Array.from({ length: n }, (_, i) => `{"externalConversationId":"p-${i}"}`).join('\n')}\n`;
}

test('no terminal: timestamped progress lines on stderr, nothing on stdout', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 20 }), async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(60));
    const result = await runCli(['submit', '-e', server.url, '--concurrency', '2', '--batch-size', '1', '--progress-interval', '100ms', 'in.ndjson'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const progress = result.stderr.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z bulk-submit: \d+ rows · \d+% · /.test(l));
    assert.ok(progress.length >= 2, result.stderr);
    assert.ok(!result.stderr.includes("\u001b["), "no escape codes without a terminal");
    const quiet = await runCli(['submit', '-e', server.url, '--quiet', '--progress-interval', '100ms', 'in.ndjson', '--force'], { cwd });
    assert.equal(quiet.stderr, '');
  });
});

const haveScript = spawnSync('script', ['--version']).status === 0;

test('on a terminal: a spinner line with counts', { skip: haveScript ? false : 'needs script(1) for a pseudo-terminal' }, async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 20 }), async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(80));
    const command = `stty cols 120 2>/dev/null; ${process.execPath} ${BIN} submit -e ${server.url} --concurrency 2 --batch-size 1 in.ndjson`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, CI: '', NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 0, out);
    assert.match(out, /\d+ rows · \d+% · (ETA \S+ · )?\d+ rows\/s · (p99 \S+ · )?invalid 0 · rejected 0 · failed 0/);
    assert.ok(out.includes("\u001b[?25l"), "cursor hidden while spinning");
    assert.match(out, /accepted\s+80/);
  });
});

test('secrets never reach the report, rejects, summary, progress or --debug output', async () => {
  const secret = 'sEcReT-1b9f2c';
  await withScripted((request) => {
    const { externalConversationId: id, eventId } = JSON.parse(request.body);
    if (id === 'p-1') return { status: 500, body: {} };
    if (id === 'p-2') return { status: 200, body: { result: { eventId, error: 'FAIL_BAD_PARAMS: ERROR: nope' } } };
    return ok(request);
  }, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), `${rows(20)}{"externalConversationId":"bad id"}\n`);
    writeFileSync(join(cwd, 'keys.txt'), `asapp-api-id: id-7\nX-Api-Token: ${secret}-token\n`);
    const result = await runCli(
      ['submit', '-e', server.url, '--retries', '0', '--debug', '--json', '--summary', 'sum.json', '--rejects', 'rej.ndjson', '--header-file', 'keys.txt', '--progress-interval', '50ms', 'in.ndjson'],
      { cwd, env: { ASAPP_API_SECRET: secret } },
    );
    assert.equal(result.code, 1);
    assert.equal(server.requests[0].headers['asapp-api-secret'], secret, 'it was sent');
    const printed = await runCli(['submit', '-e', server.url, '--print-config', '-H', `asapp-api-secret: ${secret}`, 'in.ndjson'], { cwd, env: { ASAPP_API_SECRET: secret } });
    assert.match(printed.stdout, /<redacted>/);
    const outputs = [result.stdout, result.stderr, printed.stdout, printed.stderr, ...readdirSync(cwd).filter((f) => f !== 'keys.txt').map((f) => readFileSync(join(cwd, f), 'utf8'))];
    for (const text of outputs) assert.ok(!text.includes(secret), `secret leaked into: ${text.slice(0, 200)}`);
    for (const file of ['sum.json', 'rej.ndjson', 'in.ndjson.report.ndjson']) assert.equal(statSync(join(cwd, file)).mode & 0o777, 0o600, file);
  });
});

test('two overlapping runs: the second exits 2 naming the holder pid', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 100 }), async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), rows(40));
    const first = startCli(['submit', '-e', server.url, '--concurrency', '1', '--batch-size', '1', '--report', 'r.ndjson', 'in.ndjson'], { cwd });
    // The lock is taken before anything is sent: once the server has seen a request, the first run holds it.
    await waitFor(() => server.requests.length >= 1, 'the first run to send a request');
    const second = await runCli(['submit', '-e', server.url, '--report', 'r.ndjson', '--force', 'in.ndjson'], { cwd });
    assert.equal(second.code, 2);
    assert.match(second.stderr, new RegExp(`another bulk-submit run \\(pid ${first.child.pid}\\) is writing this report`));
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await runCli(['submit', '-e', server.url, '--report', 'r.ndjson', '--force', '--concurrency', '8', 'in.ndjson'], { cwd });
    assert.equal(third.code, 0, 'a stale lock from a killed run is taken over');
  });
});

test('--help lists grouped options with defaults, env names and examples; misuse is exit 2', async () => {
  const help = await runCli(['submit', '--help']);
  assert.equal(help.code, 0);
  for (const part of ['Input options:', 'Endpoint options:', 'Sending options:', 'Output options:', 'Examples:', 'Exit codes:', '(default: 8, env: BULK_SUBMIT_CONCURRENCY)']) {
    assert.ok(help.stdout.replace(/\s+/g, ' ').includes(part), `submit --help lacks ${part}`);
  }
  const top = await runCli(['--help']);
  assert.match(top.stdout, /Exit codes:/);
  assert.match((await runCli(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
  const unknown = await runCli(['submit', '--concurency', '4', 'x.csv']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--concurency'/);
  assert.match(unknown.stderr, /Did you mean --concurrency\?/);
  const missing = await runCli(['submit']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument/);
});

test('settings: flag > env > config file > default; unknown config keys refused', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'cfg.json'), JSON.stringify({ concurrency: 4, retries: 1, timeout: '5s', maxErrors: 9 }));
  const result = await runCli(['submit', '--config', 'cfg.json', '--print-config', '--retries', '2', 'x.csv'], { cwd, env: { BULK_SUBMIT_CONCURRENCY: '6', BULK_SUBMIT_MAX_ERRORS: '' } });
  assert.equal(result.code, 0, result.stderr);
  const line = (key) => result.stdout.split('\n').find((l) => l.startsWith(`${key} `));
  assert.match(line('retries'), /2 {2}\[cli/);
  assert.match(line('concurrency'), /6 {2}\[env/);
  assert.match(line('timeout'), /5000 {2}\[config/);
  assert.match(line('batchWait'), /200 {2}\[default/);
  assert.match(line('batchSize'), /\(unset\) {2}\[unset/, 'the run picks it: 1000 for a bundled kind, else 1');
  writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ concurency: 4 }));
  const bad = await runCli(['submit', '--config', 'bad.json', 'x.csv'], { cwd });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown key "concurency"/);
});
