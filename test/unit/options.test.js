import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { OPTIONS, envName, parseHeaderLine, shard } from '../../dist/options.js';
import { parseDuration } from '../../dist/util/duration.js';
import { ROOT } from '../helpers/cli.js';

test('durations: 250ms, 30s, 10m, 1h, bare milliseconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1500'), 1500);
  assert.throws(() => parseDuration('soon'), { code: 'BULK_OPTION_INVALID' });
});

test('every option has an env name BULK_SUBMIT_<UPPER_SNAKE> unless it must not', () => {
  const maxErrors = OPTIONS.find((o) => o.flags.includes('--max-errors'));
  assert.equal(envName(maxErrors), 'BULK_SUBMIT_MAX_ERRORS');
  assert.equal(envName(OPTIONS.find((o) => o.flags.includes('--endpoint'))), 'BULK_SUBMIT_ENDPOINT');
});

test('headers and shards parse', () => {
  assert.deepEqual(parseHeaderLine('X-Trace:  a:b '), ['x-trace', 'a:b']);
  assert.throws(() => parseHeaderLine('no colon'));
  assert.deepEqual(shard('2/4'), { index: 2, count: 4 });
  assert.throws(() => shard('4/4'));
});

test('importing the library has no side effects', () => {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./dist/index.js'); if (typeof m.run !== 'function' || typeof m.startServer !== 'function') process.exit(9);"], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, '');
});
