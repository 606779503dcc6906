// The library's public face: importing dist/index.js has no side effects, and the documented names exist.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, tempDir } from '../helpers/cli.js';

const INDEX = join(ROOT, 'dist', 'index.js');

test('importing the library prints nothing, changes nothing, leaves nothing running', () => {
  const cwd = tempDir();
  // If the import started a server, a timer or a reader, the child would not exit on its own.
  const script = `
    const before = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    const m = await import(${JSON.stringify(pathToFileURL(INDEX).href)});
    const after = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    if (JSON.stringify(before) !== JSON.stringify(after)) process.exit(7);
    if (process.exitCode !== undefined) process.exit(8);
    if (Object.keys(m).length === 0) process.exit(9);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
  });
  assert.equal(result.error, undefined, 'the child exited on its own');
  assert.equal(result.signal, null);
  assert.equal(result.status, 0, `exit ${result.status}: ${result.stderr}`);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, '');
  assert.deepEqual(readdirSync(cwd), [], 'no files created in the working directory');
});

test('the documented names are exported with the right shapes', () => {
  // In a child process too, so that a library that does keep the process alive fails here instead of hanging.
  const script = `
    const lib = await import(${JSON.stringify(pathToFileURL(INDEX).href)});
    const error = new lib.BulkError('BULK_USAGE', 'bad thing', { file: 'f.csv', line: 3 });
    console.log(JSON.stringify({
      names: Object.keys(lib).sort(),
      types: Object.fromEntries(Object.entries(lib).map(([k, v]) => [k, typeof v])),
      KIND_NAMES: lib.KIND_NAMES,
      single: lib.KINDS.conversation.single,
      error: [error.code, error instanceof Error, lib.describeError(error), 'exitCode' in error],
      topErrors: new lib.Stats().topErrors(),
    }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tempDir(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  const lib = JSON.parse(result.stdout);
  assert.deepEqual(lib.names, ['BulkError', 'DAILY_QUOTA', 'KINDS', 'KIND_NAMES', 'Stats', 'defaultMetricsJob', 'defaultReportPath', 'describeError', 'ledgerImport', 'ledgerStats', 'openMetrics', 'openRunPage', 'report', 'serve', 'shardLabel', 'submit', 'validate', 'writeReportPage']);
  for (const name of ['submit', 'validate', 'serve', 'report', 'ledgerImport', 'ledgerStats', 'openMetrics', 'defaultReportPath', 'describeError', 'BulkError', 'Stats']) {
    assert.equal(lib.types[name], 'function', name);
  }
  assert.deepEqual(lib.KIND_NAMES, ['conversation', 'customer', 'agent']);
  assert.equal(lib.single, '/metadata-ingestion/v1/single-convo-metadata');
  assert.deepEqual(lib.error, ['BULK_USAGE', true, 'f.csv:3: bad thing', false], 'errors carry a code; exit codes are the CLI\'s');
  assert.deepEqual(lib.topErrors, []);
});

test('a submit() call, not only the import, leaves the process alone: its environment, the V8 flags, the exit code, its signal handlers', () => {
  const cwd = tempDir();
  // node:v8's setFlagsFromString is replaced by a spy before the library loads (syncBuiltinESMExports
  // hands the spy to `import { setFlagsFromString } from 'node:v8'` as well).
  const script = `
    import v8 from 'node:v8';
    import { syncBuiltinESMExports } from 'node:module';
    const flags = [];
    const setFlags = v8.setFlagsFromString;
    v8.setFlagsFromString = (flag) => { flags.push(flag); setFlags(flag); };
    syncBuiltinESMExports();
    const events = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'];
    const before = { env: JSON.stringify(process.env), listeners: events.map((e) => process.listenerCount(e)) };
    const lib = await import(${JSON.stringify(pathToFileURL(INDEX).href)});
    const server = await lib.serve({ port: 0 });
    const summary = await lib.submit({ files: [${JSON.stringify(join(ROOT, 'samples', 'conversations.csv'))}], endpoint: server.url, report: 'run.report.ndjson', rate: 0 });
    await server.close();
    console.log(JSON.stringify({
      accepted: summary.accepted,
      flags,
      env: JSON.stringify(process.env) === before.env,
      listeners: JSON.stringify(events.map((e) => process.listenerCount(e))) === JSON.stringify(before.listeners),
      exitCode: process.exitCode ?? null,
    }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  assert.equal(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout);
  assert.ok(seen.accepted > 0, 'the run sent rows');
  assert.deepEqual(seen.flags, [], 'no V8 flag set');
  assert.equal(seen.env, true, 'process.env unchanged');
  assert.equal(seen.listeners, true, 'no signal or exit handler left behind');
  assert.equal(seen.exitCode, null, 'process.exitCode untouched');
});

test('the library refuses an option it does not know, naming the closest, as the flag and the --config key are refused', async () => {
  const lib = await import(pathToFileURL(INDEX).href);
  const sample = join(ROOT, 'samples', 'conversations.csv');
  const cases = [
    [() => lib.submit({ files: [sample], endpoint: 'http://127.0.0.1:9', concurency: 4 }), /unknown option "concurency" for submit\(\) \(did you mean concurrency\?\)/],
    [() => lib.validate({ files: [sample], maxRecordSise: 10 }), /unknown option "maxRecordSise" for validate\(\) \(did you mean maxRecordSize\?\)/],
    [() => lib.report({ reports: [sample], lst: 3 }), /unknown option "lst" for report\(\)/],
    [() => lib.serve({ port: 0, latancy: '5ms' }), /unknown option "latancy" for serve\(\) \(did you mean latency\?\)/],
  ];
  for (const [call, message] of cases) {
    await assert.rejects(call, (error) => error.code === 'BULK_OPTION_INVALID' && message.test(error.message), String(message));
  }
});
