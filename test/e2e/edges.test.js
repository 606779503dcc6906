// Timeouts, broken NDJSON lines, interrupts.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { ok, withScripted } from '../helpers/scripted-server.js';

test('a request slower than --timeout fails with a timeout message', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 1500 }), async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), '{"externalConversationId":"t-1"}\n');
    const result = await runCli(['submit', '-e', server.url, '--timeout', '200ms', '--retries', '0', 'in.ndjson'], { cwd });
    assert.equal(result.code, 1);
    const [line] = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
    assert.equal(line.status, 'failed');
    assert.match(line.error, /timed out after 200ms/);
  });
});

test('NDJSON: a bad line is an invalid row and its neighbours go on (regression: no row lost while the rejects file opens)', async () => {
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), '{"externalConversationId":"n-1"}\n\n{"externalConversationId": \n[1,2]\n{"externalConversationId":"n-4","_note":"x"}\n');
    const result = await runCli(['submit', '-e', server.url, 'in.ndjson', '--batch-size', '1', '--rejects', 'rej.ndjson'], { cwd });
    assert.equal(result.code, 1);
    const byLine = new Map(readNdjson(join(cwd, 'in.ndjson.report.ndjson')).map((l) => [l.line, l]));
    assert.equal(byLine.get(1).status, 'accepted');
    assert.equal(byLine.get(3).status, 'invalid');
    assert.match(byLine.get(3).error, /^not valid JSON/);
    assert.equal(byLine.get(4).error, 'line is not a JSON object (got array)');
    assert.equal(byLine.get(5).status, 'accepted');
    assert.equal(byLine.get(5).row, 4, 'blank lines are not rows');
    assert.equal(server.requests.length, 2);
    assert.equal(JSON.parse(server.requests[1].body)._note, undefined);
    const rejects = readNdjson(join(cwd, 'rej.ndjson'));
    assert.deepEqual(rejects.map((r) => r._line).sort(), [3, 4]);
  });
});

test('SIGINT: in-flight rows finish, the summary is printed, exit 130', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 50 }), async (server) => {
    const cwd = tempDir();
    const rows = Array.from({ length: 400 }, (_, i) => `{"externalConversationId":"i-${i}"}`).join('\n');
    writeFileSync(join(cwd, 'in.ndjson'), `${rows}\n`);
    const run = startCli(['submit', '-e', server.url, '--concurrency', '2', '--batch-size', '1', 'in.ndjson'], { cwd });
    const { child } = run;
    const closed = run.exited.then((exit) => exit.code);
    await waitFor(() => server.requests.length >= 4, 'the server to see 4 requests');
    child.kill('SIGINT');
    const code = await closed;
    assert.equal(code, 130, run.stderr);
    assert.match(run.stderr, /interrupted by SIGINT/);
    const report = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
    assert.ok(report.length > 0 && report.length < 400, `${report.length} rows done`);
    assert.equal(report.length, server.requests.length, 'every request sent has its report line');
    assert.ok(report.every((l) => l.status === 'accepted'));
  });
});

test('a second SIGINT cuts off the requests in flight, and the run still writes its outputs and frees its lock; the report is whole lines', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 400 }), async (server) => {
    const cwd = tempDir();
    const rows = Array.from({ length: 200 }, (_, i) => `{"externalConversationId":"j-${i}"}`).join('\n');
    writeFileSync(join(cwd, 'in.ndjson'), `${rows}\n`);
    const outputs = ['--summary', 'run.json', '--metrics-file', 'run.prom', '--html', 'run.html'];
    const run = startCli(['submit', '-e', server.url, '--concurrency', '8', '--batch-size', '1', '--rate', '0', '--drain-timeout', '30s', 'in.ndjson', ...outputs], { cwd });
    const { child } = run;
    const closed = run.exited.then((exit) => exit.code);
    // Signal while requests are in flight: after the first answers are back, mid-way through the next.
    await waitFor(() => server.requests.length >= 9, 'the server to see 9 requests');
    child.kill('SIGINT');
    // The second signal only once the first was handled (signals sent too close together merge into one).
    await waitFor(() => /finishing requests in flight/.test(run.stderr), 'the first SIGINT to be handled');
    child.kill('SIGINT');
    const code = await closed;
    assert.equal(code, 130, run.stderr);
    assert.match(run.stderr, /SIGINT again: cutting off the requests in flight, then writing the outputs/);
    const text = readFileSync(join(cwd, 'in.ndjson.report.ndjson'), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'));
    const lines = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
    assert.ok(lines.length >= 8 && lines.length < 200, `rows finished before the signals are written (${lines.length})`);
    assert.ok(lines.some((l) => l.status === 'failed' && /interrupted twice/.test(l.error)), 'the rows cut off are recorded failed');
    const summary = JSON.parse(readFileSync(join(cwd, 'run.json'), 'utf8'));
    assert.equal(summary.interrupted, 'SIGINT');
    assert.equal(summary.rows, lines.length, 'the summary counts what the report holds');
    assert.match(readFileSync(join(cwd, 'run.prom'), 'utf8'), new RegExp(`bulk_submit_rows\\{status="accepted",[^}]*\\} ${summary.accepted}\\n`));
    assert.match(readFileSync(join(cwd, 'run.html'), 'utf8'), /interrupted by SIGINT/);
    assert.equal(existsSync(join(cwd, 'in.ndjson.report.ndjson.lock')), false, 'the lock is released');
  });
});

test('a stale lock blocks no run: one whose process is gone, or whose pid a later process took', async () => {
  await withScripted(ok, async (server) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), '{"externalConversationId":"l-1"}\n');
    const lock = join(cwd, 'in.ndjson.report.ndjson.lock');
    // A pid that is gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(lock, `${gone}\n`);
    const first = await runCli(['submit', '-e', server.url, 'in.ndjson'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    // A pid alive, but of a process started after the lock was written (a container restarted): not the holder.
    const later = spawn('sleep', ['30']);
    try {
      writeFileSync(lock, `${later.pid}\n`);
      const hourAgo = new Date(Date.now() - 3600_000);
      utimesSync(lock, hourAgo, hourAgo);
      const second = await runCli(['submit', '-e', server.url, 'in.ndjson', '--force'], { cwd });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(existsSync(lock), false);
    } finally {
      later.kill();
    }
  });
});

test('a named pipe (FIFO) streams like a file', { skip: spawnSync('mkfifo', ['--version']).status === 0 ? false : 'needs mkfifo' }, async () => {
  const cwd = tempDir();
  const fifo = join(cwd, 'pipe.csv');
  spawnSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `printf 'External Conversation ID\\nf-1\\nf-2\\n' > ${fifo}`]);
  const written = new Promise((r) => writer.on('close', r));
  const result = await runCli(['validate', fifo], { cwd });
  await written;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readNdjson(join(cwd, 'pipe.csv.validation.ndjson')).length, 2);
});

test('--max-errors stops the run with exit 3 once that many rows are invalid or rejected', async () => {
  await withScripted((request) => {
    const { eventId } = JSON.parse(request.body);
    return { status: 200, body: { result: { eventId, error: 'FAIL_BAD_PARAMS: ERROR: always' } } };
  }, async (server) => {
    const cwd = tempDir();
    const rows = Array.from({ length: 300 }, (_, i) => `{"externalConversationId":"m-${i}"}`).join('\n');
    writeFileSync(join(cwd, 'in.ndjson'), `${rows}\n`);
    const result = await runCli(['submit', '-e', server.url, '--max-errors', '10', '--concurrency', '2', '--rate', '0', 'in.ndjson'], { cwd });
    assert.equal(result.code, 3, result.stderr);
    const rejected = Number(/rejected\s+(\d+)/.exec(result.stderr)[1]);
    assert.ok(rejected >= 10);
    assert.match(result.stderr, new RegExp(`aborted: stopped after ${rejected} invalid or rejected rows \\(--max-errors 10\\)`), 'the line counts what the summary does');
    assert.ok(server.requests.length < 20, `${server.requests.length} requests`);
  });
});

test('SIGTERM: requests still in flight after --drain-timeout are cut off and reported failed; exit 143', async () => {
  await withScripted((request) => ({ ...ok(request), delayMs: 5000 }), async (server) => {
    const cwd = tempDir();
    const rows = Array.from({ length: 50 }, (_, i) => `{"externalConversationId":"d-${i}"}`).join('\n');
    writeFileSync(join(cwd, 'in.ndjson'), `${rows}\n`);
    const run = startCli(['submit', '-e', server.url, '--concurrency', '3', '--batch-size', '1', '--rate', '0', '--drain-timeout', '300ms', 'in.ndjson'], { cwd });
    const { child } = run;
    const closed = run.exited.then((exit) => exit.code);
    await waitFor(() => server.requests.length >= 3, 'the server to see 3 requests');
    child.kill('SIGTERM');
    assert.equal(await closed, 143, run.stderr);
    const report = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
    assert.equal(report.length, 3, 'the three rows in flight, nothing else');
    assert.ok(report.every((l) => l.status === 'failed' && /--drain-timeout/.test(l.error)), JSON.stringify(report));
  });
});

test('an unreadable file is refused before anything is sent', { skip: process.getuid?.() === 0 ? 'root reads any file: run as a normal user to check EACCES' : false }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'secret.csv'), 'External Conversation ID\nx-1\n');
  chmodSync(join(cwd, 'secret.csv'), 0o000);
  const result = await runCli(['validate', 'secret.csv'], { cwd });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /secret\.csv: cannot read the file \(EACCES\)/);
});
