// Every file in samples/ is exercised here (or, for the few named below, by the test of its own
// feature), so the samples can never rot; a new sample without a case below fails the first test. `npm run demo` is run as a newcomer would run it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SAMPLES, readNdjson, runCli, tempDir } from '../helpers/cli.js';

const CASES = {
  'conversations.csv': { args: [], valid: 30 },
  'conversations.ndjson': { args: [], valid: 12 },
  'customers.csv': { args: ['--kind', 'customer'], valid: 12 },
  'agents.csv': { args: ['--kind', 'agent'], valid: 12 },
  'legacy-export.csv': { args: ['--map', join(SAMPLES, 'mapping.example.json')], valid: 6 },
  'bad-rows.csv': { args: [], valid: 1, invalid: 9 },
  'legacy-agents.csv': { args: ['--kind', 'agent', '--transform', join(SAMPLES, 'transform.example.mjs'), '--timezone', 'Europe/Paris'], valid: 5, dropped: 2 },
};
const COVERED_ELSEWHERE = new Set(['mapping.example.json', 'bad-rows.expected.md', 'transform.example.mjs']);

test('every sample has a case', () => {
  for (const name of readdirSync(SAMPLES)) {
    assert.ok(name in CASES || COVERED_ELSEWHERE.has(name), `samples/${name} has no test`);
  }
});

for (const [name, expected] of Object.entries(CASES)) {
  test(`validate samples/${name}`, async () => {
    const cwd = tempDir();
    const result = await runCli(['validate', join(SAMPLES, name), ...expected.args, '--json'], { cwd });
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.valid, expected.valid);
    assert.equal(summary.invalid, expected.invalid ?? 0);
    assert.equal(summary.dropped, expected.dropped ?? 0);
    assert.equal(result.code, expected.invalid ? 1 : 0);
  });
}

test('the guide states the message of every bad-rows.csv row, as the tool prints it', async () => {
  const cwd = tempDir();
  await runCli(['validate', join(SAMPLES, 'bad-rows.csv')], { cwd });
  const report = readNdjson(join(cwd, 'bad-rows.csv.validation.ndjson'));
  const guide = readFileSync(join(ROOT, 'docs', 'guide.md'), 'utf8');
  for (const line of report.filter((l) => l.status === 'invalid')) {
    assert.ok(guide.includes(`| ${line.row} | \`${line.error}\` |`), `docs/guide.md lacks row ${line.row}: ${line.error}`);
  }
});

test('npm run demo: starts serve, submits the samples, stops it', () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo.js')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /Demo finished as expected/);
  assert.match(result.stderr, /bulk-submit serve: stopped after \d+ requests/);
});
