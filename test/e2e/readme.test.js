// Every README block fenced as ```sh example runs against `serve`, so the manual cannot rot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, ROOT, SAMPLES, startServe, tempDir } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```sh example(?: exit=(\d+))?\n([\s\S]*?)```/g)].map((m) => ({ exit: Number(m[1] ?? 0), script: m[2] }));

let server;
let cwd;
let pathDir;
before(async () => {
  server = await startServe([]);
  cwd = tempDir();
  symlinkSync(SAMPLES, join(cwd, 'samples'));
  pathDir = join(cwd, '.bin');
  mkdirSync(pathDir);
  writeFileSync(join(pathDir, 'bulk-submit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(pathDir, 'bulk-submit'), 0o755);
});
after(() => server.stop());

test('the README has runnable examples', () => {
  assert.ok(blocks.length >= 3, `found ${blocks.length}`);
});

blocks.forEach((block, i) => {
  test(`README example ${i + 1}: ${block.script.split('\n').find((l) => l.startsWith('bulk-submit') || l.includes('| bulk-submit'))}`, () => {
    const result = spawnSync('bash', ['-c', `${block.exit === 0 ? 'set -eo pipefail\n' : ''}${block.script}`], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CI: 'true', URL: server.url, PATH: `${pathDir}:${process.env.PATH}`, ASAPP_API_ID: '', ASAPP_API_SECRET: '' },
    });
    assert.equal(result.status, block.exit, `${block.script}\n${result.stderr}`);
  });
});
