// Whatever the endpoint does, every valid row ends up stored exactly once, and the report says so.
// `serve` injects the faults (seeded, so every run sees the same ones); the store is the truth.
// Outages, quotas, crashes and resumes are in recovery.test.js.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, startServe, tempDir } from '../helpers/cli.js';
import { assertExactlyOnce, writeRows } from '../helpers/exactly-once.js';

const FAULTS = [
  ['--fail-rate', '0.2'],
  ['--drop-rate', '0.1'],
  ['--accept-then-fail', '0.2'],
  ['--latency', '5ms:5ms'],
  ['--rate-limit', '400'],
  ['--fail-rate', '0.1', '--drop-rate', '0.05', '--accept-then-fail', '0.1', '--latency', '1ms:3ms'],
];

// These runs send one row a request (--batch-size 1): faults are drawn per request, and 2000 requests
// meet every kind of them. Batch mode under faults has its own test below.
describe('exactly once under injected faults', { concurrency: 1 }, () => {
  for (const fault of FAULTS) {
    test(`serve ${fault.join(' ')}`, async () => {
      const dir = tempDir();
      const store = join(dir, 'store.ndjson');
      const server = await startServe(['--store', store, '--seed', '7', ...fault]);
      try {
        const file = writeRows(dir);
        const result = await runCli(['submit', '--batch-size', '1', '-e', server.url, '--concurrency', '16', '--rate', '0', '--timeout', '2s', '--retries', '10', file], { cwd: dir });
        assert.equal(result.code, 1, result.stderr); // the invalid rows
        assert.match(result.stderr, /failed\s+0\n/);
        assertExactlyOnce(dir, store, join(dir, 'rows.csv.report.ndjson'));
      } finally {
        const { stderr } = await server.stop();
        assert.match(stderr, fault[0] === '--latency' ? /stopped/ : /injected: /, 'the fault was injected');
      }
    });
  }

});
