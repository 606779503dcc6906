// A small run loads only what it needs: start-up is measured by `npm run bench` (bench/startup.js), and
// these hold the structure that makes it fast. A validate never loads the HTTP stack, and a small input
// starts no thread.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, SAMPLES, tempDir, withServe } from '../helpers/cli.js';

/** Runs the CLI with `args` and a preload from test/fixtures/startup; resolves the exit code and what the preload wrote. */
async function withPreload(preload, args) {
  const cwd = tempDir();
  const file = join(cwd, 'out.txt');
  const nodeArgs = ['--import', join(ROOT, 'test', 'fixtures', 'startup', preload)];
  const { code, stderr } = await runCli(args, { cwd, nodeArgs, env: { BUILTINS_FILE: file, WORKERS_FILE: file }, stdio: ['ignore', 'ignore', 'pipe'] });
  return { code, stderr, out: readFileSync(file, 'utf8') };
}

/** Runs the CLI; resolves its exit code and the built-in modules it loaded. */
async function builtinsOf(args) {
  const { code, stderr, out } = await withPreload('builtins.js', args);
  return { code, stderr, builtins: new Set(out.split('\n')) };
}

test('--help and a small validate load neither the HTTP stack nor worker threads nor zlib', async () => {
  const help = await builtinsOf(['--help']);
  assert.equal(help.code, 0);
  const validate = await builtinsOf(['validate', join(SAMPLES, 'conversations.csv')]);
  assert.equal(validate.code, 0, validate.stderr);
  for (const { builtins } of [help, validate]) {
    for (const name of ['http', 'tls', 'worker_threads', 'zlib']) assert.equal(builtins.has(name), false, `${name} was loaded`);
  }
});

test('a small input is prepared on the main thread; a large one on two threads of its own', async () => {
  const small = await withPreload('workers.js', ['validate', join(SAMPLES, 'conversations.csv')]);
  assert.equal(small.code, 0, small.stderr);
  assert.equal(small.out, '0', 'no thread started for 30 rows');
  const dir = tempDir();
  const big = join(dir, 'big.csv');
  const row = 'c-0000001,WEB,Sales;Marketing,Retail Banking,some notes to make the row longer than usual\n';
  writeFileSync(big, `External Conversation ID,Platform,Company Segment,LOB Name,_notes\n${row.repeat(Math.ceil((1.2 * 1024 * 1024) / row.length))}`);
  const large = await withPreload('workers.js', ['validate', big]);
  assert.equal(large.code, 0, large.stderr);
  assert.equal(large.out, '2', 'a reading and a mapping thread for 1.2 MB');
});

test('a small submit sends without starting a thread', async () => {
  await withServe([], async (server) => {
    const submit = await withPreload('workers.js', ['submit', '-e', server.url, join(SAMPLES, 'conversations.csv')]);
    assert.equal(submit.code, 0, submit.stderr);
    assert.equal(submit.out, '0');
  });
});
