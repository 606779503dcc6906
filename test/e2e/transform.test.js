// --transform FILE: an ES module reshapes each mapped row before validation; null leaves a row out
// (status dropped), a throw makes it invalid, a module that does not load stops the run before sending.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readNdjson, readStore, ROOT, runCli, SAMPLES, startStoringServe, tempDir } from '../helpers/cli.js';
import { startScripted, withScripted } from '../helpers/scripted-server.js';

const EXAMPLE = join(SAMPLES, 'transform.example.mjs');
const LEGACY = join(SAMPLES, 'legacy-agents.csv');
const AGENTS = ['--kind', 'agent', '--timezone', 'Europe/Paris'];

let serve;
before(async () => (serve = await startStoringServe()));
after(() => serve.stop());

/** Writes a transform module into `dir`; returns its path. */
function moduleFile(dir, name, source) {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** The stored records of agents whose id starts with `prefix`, by id. */
function storedAgents(prefix) {
  return Object.fromEntries(readStore(serve.store).map((s) => s.record).filter((r) => r.externalAgentId.startsWith(prefix)).map((r) => [r.externalAgentId, r]));
}

test('the guide\'s example: joins two columns, translates a code, drops test rows; stored records are the transform\'s, dropped rows counted, exit 0', async () => {
  const cwd = tempDir();
  const csv = join(cwd, 'readme.csv');
  // The sample with ids of its own, so the store tells this test's records apart.
  writeFileSync(csv, readFileSync(LEGACY, 'utf8').replace(/agent-1/g, 'readme-1'));
  const args = ['submit', '-e', serve.url, ...AGENTS, '--transform', EXAMPLE, csv, '--json', '--rejects', 'rejects.csv', '--metrics-file', 'metrics.prom'];
  const result = await runCli(args, { cwd });
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.deepEqual([summary.rows, summary.accepted, summary.dropped, summary.invalid], [7, 5, 2, 0]);
  assert.match(result.stderr, /dropped +2 \(left out by --transform\)/);
  const report = readNdjson(join(cwd, 'readme.csv.report.ndjson'));
  assert.deepEqual(report.filter((l) => l.status === 'dropped').map((l) => [l.row, l.line, l.eventId, l.digest, l.attempts, l.error]), [[3, 4, null, null, 0, null], [6, 7, null, null, 0, null]]);
  const stored = storedAgents('readme-');
  assert.deepEqual(Object.keys(stored).sort(), ['readme-1001', 'readme-1002', 'readme-1003', 'readme-1004', 'readme-1005']);
  assert.deepEqual(
    { name: stored['readme-1002'].agentName, shift: stored['readme-1002'].workShift, start: stored['readme-1002'].startTs, email: stored['readme-1002'].emailAddress },
    { name: "James O'Neil", shift: 'evening', start: '2024-01-05T14:00:00+01:00', email: 'james.oneil@example.com' },
  );
  assert.equal(stored['readme-1005'].workShift, undefined, 'an empty shift code sends no workShift');
  assert.equal(readFileSync(join(cwd, 'rejects.csv'), 'utf8').split('\n').filter(Boolean).length, 1, 'dropped rows are not rejects: the file has its header only');
  assert.match(readFileSync(join(cwd, 'metrics.prom'), 'utf8'), /bulk_submit_rows\{status="dropped",bulk_job="readme"\} 2/);
  // `report --inputs` reads the dropped lines back, and counts the rows left out on purpose as covered.
  const audit = await runCli(['report', '--inputs', csv, 'readme.csv.report.ndjson'], { cwd });
  assert.equal(audit.code, 0, audit.stdout + audit.stderr);
  assert.match(audit.stdout, /^ {2}dropped {4}2$/m);
  assert.match(audit.stdout, /7 rows: 5 accepted once, 2 dropped by --transform/);
  assert.match(audit.stdout, /complete: every row of 1 input \(7 rows\) accepted exactly once, apart from 2 that --transform left out on purpose/);
});

test("the guide's listing of the example transform is the sample's code", () => {
  const code = (text) => text.split('\n').map((line) => line.replace(/\s*\/\/.*$/, '')).filter((line) => line.trim() !== '');
  const listing = /```js\n\/\/ samples\/transform\.example\.mjs.*\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'docs', 'guide.md'), 'utf8'));
  assert.ok(listing, 'docs/guide.md lists samples/transform.example.mjs');
  assert.deepEqual(code(listing[1]), code(readFileSync(EXAMPLE, 'utf8')).filter((line) => !line.startsWith('/**')));
});

test('a transform that throws on one row makes that row invalid with "transform: <message>"; the others are accepted (exit 1)', async () => {
  const cwd = tempDir();
  const transform = moduleFile(cwd, 'throws.mjs', `export default (record, row) => {\n  if (row.cells.Region === 'Atlantis') throw new Error('no such region: ' + row.cells.Region);\n  return { ...record, lobName: row.cells.Region };\n};\n`);
  writeFileSync(join(cwd, 'in.csv'), 'External Agent ID,Region\nthrow-1,Europe\nthrow-2,Atlantis\nthrow-3,Asia\n');
  const result = await runCli(['submit', '-e', serve.url, '--kind', 'agent', '--transform', transform, 'in.csv', '--json', '--rejects', 'rejects.csv'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const report = readNdjson(join(cwd, 'in.csv.report.ndjson')).sort((a, b) => a.row - b.row);
  assert.deepEqual(report.map((l) => [l.row, l.status, l.error]), [[1, 'accepted', null], [2, 'invalid', 'transform: no such region: Atlantis'], [3, 'accepted', null]]);
  assert.deepEqual(storedAgents('throw-')['throw-3'].lobName, 'Asia');
  const rejects = readFileSync(join(cwd, 'rejects.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(rejects, ['_line,_error,_eventId,External Agent ID,Region', '3,transform: no such region: Atlantis,,throw-2,Atlantis'], 'the original cells, to fix and feed back');
});

test('an async transform: rows keep their order and fate, sync and async results mixed, a rejection makes its row invalid', async () => {
  const cwd = tempDir();
  const transform = moduleFile(
    cwd,
    'async.mjs',
    `const later = (value) => new Promise((resolve) => setImmediate(() => resolve(value)));
export default (record, row) => {
  if (row.row === 4) return Promise.reject(new Error('lookup failed'));
  if (row.row % 5 === 0) return later(null);
  return row.row % 2 === 0 ? later({ ...record, agentName: 'async ' + row.row }) : { ...record, agentName: 'sync ' + row.row };
};\n`,
  );
  const rows = Array.from({ length: 12 }, (_, i) => `async-${i + 1}`);
  writeFileSync(join(cwd, 'in.csv'), `External Agent ID\n${rows.join('\n')}\n`);
  const result = await runCli(['submit', '-e', serve.url, '--kind', 'agent', '--transform', transform, 'in.csv', '--json'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.deepEqual([summary.accepted, summary.dropped, summary.invalid], [9, 2, 1]);
  const report = readNdjson(join(cwd, 'in.csv.report.ndjson'));
  assert.deepEqual(report.filter((l) => l.status !== 'accepted').map((l) => [l.row, l.status, l.error]).sort(), [[10, 'dropped', null], [4, 'invalid', 'transform: lookup failed'], [5, 'dropped', null]].sort());
  const stored = storedAgents('async-');
  assert.equal(stored['async-2'].agentName, 'async 2');
  assert.equal(stored['async-3'].agentName, 'sync 3');
});

test('a transform result that is not a record makes its row invalid and says what it got', async () => {
  const cwd = tempDir();
  const transform = moduleFile(cwd, 'odd.mjs', `export default (record, row) => [undefined, [record], 'text', record][row.row - 1];\n`);
  writeFileSync(join(cwd, 'in.csv'), 'External Agent ID\nodd-1\nodd-2\nodd-3\nodd-4\n');
  const result = await runCli(['validate', '--kind', 'agent', '--transform', transform, 'in.csv'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const report = readNdjson(join(cwd, 'in.csv.validation.ndjson')).sort((a, b) => a.row - b.row);
  const refused = 'transform: must return the record (an object), or null to leave the row out';
  assert.deepEqual(report.map((l) => l.error ?? l.status), [`${refused} (got undefined)`, `${refused} (got an array)`, `${refused} (got string)`, 'valid']);
});

test('NDJSON: row.cells is the parsed line; a transform that changes its record in place leaves the rejects file the line as read', async () => {
  const cwd = tempDir();
  const transform = moduleFile(cwd, 'inplace.mjs', `export default (record, row) => {\n  record.deviceType = row.cells.externalConversationId === 'nd-2' ? 'LAPTOP' : 'PHONE';\n  return record;\n};\n`);
  writeFileSync(join(cwd, 'in.ndjson'), '{"externalConversationId":"nd-1"}\n{"externalConversationId":"nd-2","platform":"WEB"}\n');
  const result = await runCli(['validate', '--transform', transform, 'in.ndjson', '--rejects', 'rejects.ndjson'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const rejects = readNdjson(join(cwd, 'rejects.ndjson'));
  assert.equal(rejects.length, 1);
  assert.deepEqual({ ...rejects[0], _error: undefined }, { _line: 2, _error: undefined, _eventId: null, externalConversationId: 'nd-2', platform: 'WEB' });
  assert.match(rejects[0]._error, /deviceType: must be one of/);
});

test('a transform module that does not exist, has a syntax error, exports no function or throws as it loads: exit 2, nothing sent', async () => {
  const cwd = tempDir();
  const server = await startScripted(() => ({ status: 200, body: {} }));
  const modules = {
    'missing.mjs': [null, /missing\.mjs: --transform module not found/],
    'syntax.mjs': ['export default function (record) {\n  return record +;\n}\n', /syntax\.mjs:2: --transform module has a syntax error: Unexpected token/],
    'nofunction.mjs': ['export const transform = (r) => r;\n', /nofunction\.mjs: --transform module has no default export that is a function/],
    'throws.mjs': ['const ready = false;\nif (!ready) throw new Error("lookup table missing");\nexport default (r) => r;\n', /throws\.mjs:2: --transform module failed to load: lookup table missing/],
  };
  try {
    for (const [name, [source, message]] of Object.entries(modules)) {
      if (source !== null) moduleFile(cwd, name, source);
      const result = await runCli(['submit', '-e', server.url, '--kind', 'agent', '--transform', name, '--report', `${name}.report.ndjson`, LEGACY], { cwd });
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, 'one line, no stack');
      assert.equal(existsSync(join(cwd, `${name}.report.ndjson`)), false, 'no report started');
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

/** A CSV of `rows` legacy agents, over 1 MiB: prepared on two threads. Every tenth is a test account. */
function largeLegacy(file, rows, prefix) {
  const lines = ['External Agent ID,First Name,Last Name,Shift Code,Start Ts,Email Address,Status,_padding'];
  for (let i = 1; i <= rows; i++) lines.push(`${prefix}${i},First${i},Last${i},${'DEN'[i % 3]},2024-0${1 + (i % 9)}-05 08:00,a${i}@example.com,${i % 10 === 0 ? 'test' : 'active'},${'x'.repeat(40)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Runs the CLI counting the threads it starts (test/fixtures/startup/workers.js). */
async function withThreadCount(args, cwd) {
  const counted = join(cwd, 'threads.txt');
  const nodeArgs = ['--import', join(ROOT, 'test', 'fixtures', 'startup', 'workers.js')];
  const { code, stdout, stderr } = await runCli(args, { cwd, nodeArgs, env: { WORKERS_FILE: counted }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code, stdout, stderr, threads: Number(readFileSync(counted, 'utf8')) };
}

test('a large input (over 1 MiB, two threads): the transform runs in the mapping thread, with the same results; a broken module still stops it before sending', async () => {
  const cwd = tempDir();
  const csv = join(cwd, 'big.csv');
  largeLegacy(csv, 12_000, 'big-');
  const result = await withThreadCount(['submit', '-e', serve.url, ...AGENTS, '--transform', EXAMPLE, csv, '--json'], cwd);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.threads, 2, 'a reading and a mapping thread');
  const summary = JSON.parse(result.stdout);
  assert.deepEqual([summary.accepted, summary.dropped, summary.invalid], [10_800, 1_200, 0]);
  const stored = storedAgents('big-');
  assert.equal(Object.keys(stored).length, 10_800);
  assert.deepEqual([stored['big-7'].agentName, stored['big-7'].workShift, stored['big-7'].startTs], ['First7 Last7', 'evening', '2024-08-05T08:00:00+02:00']);
  await withScripted(() => ({ status: 200, body: {} }), async (server) => {
    writeFileSync(join(cwd, 'broken.mjs'), 'export default function (record) {\n\n  return record +;\n}\n');
    const broken = await withThreadCount(['submit', '-e', server.url, '--kind', 'agent', '--transform', 'broken.mjs', csv, '--report', 'broken.ndjson'], cwd);
    assert.equal(broken.code, 2, broken.stderr);
    assert.equal(broken.threads, 2);
    assert.match(broken.stderr, /^bulk-submit: error: broken\.mjs:3: --transform module has a syntax error/);
    assert.equal(server.requests.length, 0);
  });
});

test('--resume after a transform run: accepted rows skipped by the digest of the transformed record; a changed transform is a changed input', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.csv'), readFileSync(LEGACY, 'utf8').replace(/agent-1/g, 'resume-1'));
  const run = (transform, extra = []) => runCli(['submit', '-e', serve.url, ...AGENTS, '--transform', transform, 'in.csv', '--report', 'r.ndjson', '--json', ...extra], { cwd });
  const first = await run(EXAMPLE);
  assert.equal(first.code, 0, first.stderr);
  // The eventId is the SHA-1 of the kind and the record as the transform made it (before the generated eventId).
  const report = readNdjson(join(cwd, 'r.ndjson'));
  const stored = storedAgents('resume-');
  for (const line of report.filter((l) => l.status === 'accepted')) {
    const { eventId, ...record } = Object.values(stored).find((r) => r.eventId === line.eventId);
    assert.equal(eventId, `bs-${createHash('sha1').update(`agent\n${JSON.stringify(record)}`).digest('hex')}`);
    assert.match(line.digest, /^[0-9a-f]{16}$/);
  }
  const again = await run(EXAMPLE, ['--resume']);
  assert.equal(again.code, 0, again.stderr);
  const summary = JSON.parse(again.stdout);
  assert.deepEqual([summary.skipped, summary.dropped, summary.accepted, summary.requests], [5, 2, 0, 0], 'dropped rows are transformed again, and dropped again');
  const renamed = moduleFile(cwd, 'renamed.mjs', `import base from ${JSON.stringify(EXAMPLE)};\nexport default (record, row) => { const out = base(record, row); return out && { ...out, agentName: out.agentName.toUpperCase() }; };\n`);
  const changed = await run(renamed, ['--resume']);
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(changed.stderr, /in\.csv:2: row 1 is not the row the report has as accepted \(its digest is [0-9a-f]{16}\): the input changed/);
  const dropsAll = moduleFile(cwd, 'drops.mjs', 'export default () => null;\n');
  const dropped = await run(dropsAll, ['--resume']);
  assert.equal(dropped.code, 2, dropped.stderr);
  assert.match(dropped.stderr, /row 1 is not the row the report has as accepted \(the transform now leaves it out\)/);
});
