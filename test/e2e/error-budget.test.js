// --max-errors as a share: taken over the rows read so far (sent or not), so a file 1 % bad never trips a
// 2 % budget, in any mode, while a file 10 % bad still stops long before its end.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, runCli, tempDir, withServe } from '../helpers/cli.js';
import { startScripted } from '../helpers/scripted-server.js';

/** `n` NDJSON rows; `bad(i)` marks a row: `invalid` fails the schema, `rejected` is refused by the endpoint below. */
function rows(n, bad) {
  const lines = [];
  for (let i = 1; i <= n; i++) {
    const kind = bad(i);
    const id = kind === 'invalid' ? `bad id ${i}` : kind === 'rejected' ? `rej-${i}` : `ok-${i}`;
    lines.push(JSON.stringify({ externalConversationId: id, platform: 'WEB' }));
  }
  return `${lines.join('\n')}\n`;
}

const onePercent = (kind) => (i) => (i % 100 === 43 ? kind : undefined);
const tenPercent = (kind) => (i) => (i % 10 === 3 ? kind : undefined);

/** An endpoint that refuses the records whose id starts `rej-`, single or batched, and accepts the rest. */
function rejecting() {
  const answer = (item) => ({ eventId: item.eventId, error: item.externalConversationId.startsWith('rej-') ? 'FAIL_BAD_PARAMS: ERROR: refused' : '' });
  return startScripted((request) => {
    const body = JSON.parse(request.body);
    return Array.isArray(body.items)
      ? { status: 200, body: { errorCount: 0, results: body.items.map(answer) } }
      : { status: 200, body: { result: answer(body) } };
  });
}

for (const batch of [[], ['--batch-size', '1']]) {
  const mode = batch.length === 0 ? 'default batch size' : '--batch-size 1';

  test(`--max-errors 2%, ${mode}: 1% invalid rows spread evenly never stop the run`, async () => {
    await withServe([], async (server) => {
      const cwd = tempDir();
      writeFileSync(join(cwd, 'in.ndjson'), rows(1000, onePercent('invalid')));
      const result = await runCli(['submit', '-e', server.url, '--rate', '0', '--max-errors', '2%', ...batch, 'in.ndjson'], { cwd });
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /aborted/);
      const report = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
      assert.equal(report.length, 1000, 'every row reported');
      assert.equal(report.filter((l) => l.status === 'invalid').length, 10);
    });
  });

  test(`--max-errors 2%, ${mode}: 1% rejected rows never stop the run either`, async () => {
    const server = await rejecting();
    try {
      const cwd = tempDir();
      writeFileSync(join(cwd, 'in.ndjson'), rows(1000, onePercent('rejected')));
      const result = await runCli(['submit', '-e', server.url, '--rate', '0', '--max-errors', '2%', ...batch, 'in.ndjson'], { cwd });
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /aborted/);
      const report = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
      assert.deepEqual([report.length, report.filter((l) => l.status === 'rejected').length], [1000, 10]);
    } finally {
      await server.close();
    }
  });

  for (const kind of ['invalid', 'rejected']) {
    test(`--max-errors 2%, ${mode}: 10% ${kind} rows stop the run long before the end of the file (exit 3)`, async () => {
      const server = await rejecting();
      try {
        const cwd = tempDir();
        const total = 20_000;
        writeFileSync(join(cwd, 'in.ndjson'), rows(total, tenPercent(kind)));
        const result = await runCli(['submit', '-e', server.url, '--rate', '0', '--max-errors', '2%', '--json', ...batch, 'in.ndjson'], { cwd });
        assert.equal(result.code, 3, result.stderr);
        const line = /aborted: stopped: (\d+) of the (\d+) rows read so far \(\d+(\.\d+)?%\) are invalid or rejected, more than --max-errors 2%/.exec(result.stderr);
        assert.ok(line, result.stderr);
        // The line, the summary and the report agree: the errors it counts are the summary's, and the report's.
        const summary = JSON.parse(result.stdout);
        const report = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
        const errors = report.filter((l) => l.status === 'invalid' || l.status === 'rejected').length;
        assert.deepEqual([Number(line[1]), summary.invalid + summary.rejected, summary.rows], [errors, errors, report.length]);
        assert.ok(Number(line[2]) >= report.length, 'rows read: those reported, and those read but not sent');
        assert.match(summary.aborted.message, new RegExp(`^stopped: ${errors} of the ${line[2]} rows read so far`));
        const reported = report.length;
        assert.ok(reported < total / 2, `stopped early: ${reported} of ${total} rows reported`);
        const sent = server.requests.reduce((sum, r) => sum + (JSON.parse(r.body).items?.length ?? 1), 0);
        assert.ok(sent < total / 2, `${sent} rows sent`);
      } finally {
        await server.close();
      }
    });
  }
}
