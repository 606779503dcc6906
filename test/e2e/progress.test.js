// The progress lines without a terminal: the % follows the rows done, whether the input is prepared on the
// main thread or in threads, one row a request or in batches; read from the lines, never timed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, withServe } from '../helpers/cli.js';

const ROWS = 1500;

/** CSV rows of one size each; `pad` bytes of padding decide the file's size. */
function uniform(pad) {
  const lines = ['External Conversation ID,Platform,attr.pad'];
  for (let i = 1; i <= ROWS; i++) lines.push(`u-${String(i).padStart(6, '0')},WEB,${'x'.repeat(pad)}`);
  return `${lines.join('\n')}\n`;
}

/** `{rows, percent}` of every periodic progress line in `stderr`. */
function progressLines(stderr) {
  return [...stderr.matchAll(/^\S+Z bulk-submit: ([\d,]+) rows · (\d+)% · /gm)].map((m) => ({ rows: Number(m[1].replace(/,/g, '')), percent: Number(m[2]) }));
}

const inputs = [
  // Under 1 MiB: prepared on the main thread. Over it: in threads.
  { where: 'the main thread', pad: 100 },
  { where: 'threads', pad: 800 },
];
const modes = [
  { name: 'one row a request', args: ['--batch-size', '1', '--concurrency', '4'] },
  { name: 'batches', args: ['--batch-size', '10', '--concurrency', '1'] },
];

for (const input of inputs) {
  for (const mode of modes) {
    test(`progress on ${input.where}, ${mode.name}: the % is within 2 points of the rows done, and 100% only once every row is`, async () => {
      // Every answer waits 4–10 ms, so the run lasts more than a second however fast the machine: enough lines.
      await withServe(['--latency', mode.args[1] === '1' ? '4ms' : '10ms'], async (server) => {
        const cwd = tempDir();
        writeFileSync(join(cwd, 'in.csv'), uniform(input.pad));
        const args = ['submit', '-e', server.url, '--rate', '0', '--progress-interval', '100ms', ...mode.args, 'in.csv'];
        const result = await runCli(args, { cwd, timeoutMs: 120_000 });
        assert.equal(result.code, 0, result.stderr);
        const lines = progressLines(result.stderr).filter((l) => l.rows > 0);
        assert.ok(lines.length >= 3, `progress lines while rows were done:\n${result.stderr}`);
        for (const { rows, percent } of lines) {
          const truth = (rows / ROWS) * 100;
          assert.ok(Math.abs(percent - truth) <= 2, `${rows} rows done is ${truth.toFixed(1)}%, the line says ${percent}%`);
          if (rows < ROWS) assert.ok(percent < 100, `100% with ${ROWS - rows} rows still to do`);
        }
      });
    });
  }
}
