// Every block fenced as ```sh example in README.md and docs/*.md runs against `serve` ($URL), with samples/
// also served by a plain file server ($FILES) for the remote-input examples, so the manual cannot rot.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, ROOT, SAMPLES, startServe, tempDir } from '../helpers/cli.js';
import { startFileServer } from '../helpers/file-server.js';

// In reading order: the README, then the guide and the operations pages (a block may use what one before it wrote).
const pages = ['README.md', ...['guide.md', 'operations.md', 'options.md', 'troubleshooting.md'].map((page) => join('docs', page))];
const blocks = pages.flatMap((page) =>
  [...readFileSync(join(ROOT, page), 'utf8').matchAll(/```sh example(?: exit=(\d+))?\n([\s\S]*?)```/g)].map((m) => ({ page, exit: Number(m[1] ?? 0), script: m[2] })),
);

let server;
let files;
let cwd;
let pathDir;
before(async () => {
  server = await startServe([]);
  files = await startFileServer(SAMPLES);
  cwd = tempDir();
  symlinkSync(SAMPLES, join(cwd, 'samples'));
  pathDir = join(cwd, '.bin');
  mkdirSync(pathDir);
  writeFileSync(join(pathDir, 'bulk-submit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(pathDir, 'bulk-submit'), 0o755);
});
after(() => Promise.all([server.stop(), files.close()]));

test('the README and the docs have runnable examples', () => {
  assert.ok(blocks.filter((b) => b.page === 'README.md').length >= 1, 'the README has its examples');
  assert.ok(blocks.length >= 8, `found ${blocks.length}`);
});

/** Runs a block in bash; resolves { status, stderr }. Not spawnSync: the file server answers from this process. */
function bash(script, options) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

blocks.forEach((block, i) => {
  test(`${block.page} example ${i + 1}: ${block.script.split('\n').find((l) => l.startsWith('bulk-submit') || l.includes('| bulk-submit'))}`, async () => {
    const result = await bash(`${block.exit === 0 ? 'set -eo pipefail\n' : ''}${block.script}`, {
      cwd,
      env: { ...process.env, CI: 'true', URL: server.url, FILES: files.url, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', PATH: `${pathDir}:${process.env.PATH}`, ASAPP_API_ID: '', ASAPP_API_SECRET: '' },
    });
    assert.equal(result.status, block.exit, `${block.script}\n${result.stderr}`);
  });
});

test('the README\'s way to put bulk-submit on the PATH from a clone (npm i -g .) gives a bare `bulk-submit` that runs anywhere', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync: read } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /^npm ci && npm i -g \. +#/m, 'the README says it');
  // Into a prefix of the test's own, without the prepare script (the clone is built already): npm links the folder.
  const prefix = mkdtempSync(join(tmpdir(), 'bulk-submit-prefix-'));
  const install = spawnSync('npm', ['i', '-g', '.', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, install.stderr);
  const elsewhere = mkdtempSync(join(tmpdir(), 'bulk-submit-elsewhere-'));
  const run = spawnSync('bulk-submit', ['--version'], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` } });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), JSON.parse(read(join(ROOT, 'package.json'), 'utf8')).version);
});
