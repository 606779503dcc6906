// The corpus of broken files (test/fixtures/bad/cases.json): each gets its exit code and one clear
// message naming what is wrong, never a stack trace or a hang; docs/troubleshooting.md's table covers it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, readNdjson, runCli, tempDir } from '../helpers/cli.js';

const BAD = join(ROOT, 'test', 'fixtures', 'bad');
const cases = JSON.parse(readFileSync(join(BAD, 'cases.json'), 'utf8'));
const readme = readFileSync(join(ROOT, 'docs', 'troubleshooting.md'), 'utf8');

test('the corpus holds at least 30 broken files', () => {
  assert.ok(new Set(cases.map((c) => c.file)).size >= 30);
});

for (const c of cases) {
  test(`${c.file} ${c.args.join(' ')}: ${c.what}`, async () => {
    const cwd = tempDir();
    const submit = c.args[0] === 'SUBMIT';
    const args = (submit ? c.args.slice(1) : c.args).map((a) => a.replace(/^BAD\//, `${BAD}/`));
    const own = args.includes('--report') ? [] : ['--report', 'report.ndjson'];
    const result = await runCli([submit ? 'submit' : 'validate', join(BAD, c.file), ...args, ...own], { cwd, timeoutMs: 30_000 });
    const report = readNdjson(join(cwd, 'report.ndjson'));
    const everything = `${result.stderr}\n${report.map((l) => l.error ?? '').join('\n')}`;
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    if (c.exit === -1) {
      assert.ok([0, 1, 2].includes(result.code), `exit ${result.code}: ${result.stderr}`);
      return;
    }
    assert.equal(result.code, c.exit, everything);
    assert.ok(everything.includes(c.message), `expected "${c.message}" in:\n${everything}`);
    if (c.exit === 2) {
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.ok(result.stderr.includes(c.file) || c.file === 'header-only.csv' || c.args.length > 0, 'names the file');
    }
    if (c.exit !== 0 && c.doc !== false) {
      const fragment = c.message.replace(/\d+/g, 'N').slice(0, 30);
      assert.ok(readme.replace(/\d+/g, 'N').includes(fragment), `docs/troubleshooting.md lacks "${fragment}"`);
    }
  });
}
