// `bulk-submit report`: reports written by real submits to `serve`, read back; with --inputs, the proof that
// every row of the inputs is accepted exactly once, or the list of rows that are not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { BIN, SAMPLES, readNdjson, runCli, startServe, tempDir } from '../helpers/cli.js';

const INPUT = 'samples/conversations.csv';
/** samples/conversations.csv has 30 rows; quoted cells spanning lines put some rows past line row + 1. */
const ROWS = 30;

/** One report line as submit writes it. */
const line = (fields) => `${JSON.stringify({ file: INPUT, eventId: null, digest: null, httpStatus: 200, attempts: 1, error: null, ...fields })}\n`;

describe('bulk-submit report', { concurrency: 1 }, () => {
  let server;
  let cwd;
  const report = (args, options = {}) => runCli(['report', ...args], { cwd, ...options });

  before(async () => {
    server = await startServe([]);
    cwd = tempDir();
    symlinkSync(SAMPLES, join(cwd, 'samples'));
    for (const shard of [0, 1]) {
      const run = await runCli(['submit', '-e', server.url, '--shard', `${shard}/2`, '--report', `shard-${shard}.report.ndjson`, INPUT], { cwd });
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(() => server.stop());

  test('totals, files and top errors of a report with invalid rows', async () => {
    const run = await runCli(['submit', '-e', server.url, '--report', 'bad.report.ndjson', 'samples/bad-rows.csv'], { cwd });
    assert.equal(run.code, 1, run.stderr);
    const result = await report(['bad.report.ndjson']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^reports: bad\.report\.ndjson \(10 lines\)\nrows: 10 \(each by its last line\)\n {2}accepted {3}1\n {2}invalid {4}9\n/);
    assert.match(result.stdout, /\nfiles the reports name:\n {2}samples\/bad-rows\.csv {2}10 rows, 10 lines\ntop errors \(by rule; a row may break several\):\n/);
    assert.match(result.stdout, /\n +1 × deviceType: must be one of TABLET, PHONE, DESKTOP, WATCH, OTHER\n/);
    assert.doesNotMatch(result.stdout, /\(got /, 'top errors are grouped by the rule, not the value');
    assert.equal(result.stdout.split('\n').filter((l) => / × /.test(l)).length, 5);

    const checked = await report(['--inputs', 'samples/bad-rows.csv', 'bad.report.ndjson']);
    assert.equal(checked.code, 1, checked.stderr);
    assert.match(checked.stdout, /\n {2}samples\/bad-rows\.csv {2}10 rows: 1 accepted once, 9 not accepted\nincomplete: 9 rows not accepted exactly once \(9 not accepted\)\n/);
    // The listed row keeps its whole error, the value included.
    assert.match(checked.stdout, /\n {2}samples\/bad-rows\.csv:4: row 3: not accepted \(last status invalid: deviceType: must be one of TABLET, PHONE, DESKTOP, WATCH, OTHER \(got "LAPTOP"\)\)\n/);
  });

  test('top errors count each rule a row breaks, in the run summary and the report command alike, a `; ` in a value no matter', async () => {
    const header = readFileSync(join(SAMPLES, 'bad-rows.csv'), 'utf8').split('\n')[0];
    const long = `Segment_${'x'.repeat(60)}`;
    // Rows breaking rules in different combinations; values with `; ` in them, which the row's error quotes.
    const rows = [
      'r-1,LAPTOP,ios,Sales,17.4.1,spring; promo,ok,a',
      'r-2,LAPTOP,ios,Sales,17.4.1,spring-promo,ok,b',
      'r-3,LAP; TOP,IOS,Sales,17.4.1,spring!,ok,c',
      'r 4,PHONE,ios,Sales,17.4.1,spring-promo,ok,d',
      `r-5,PHONE,IOS,Sales;${long};${long}y,17.4.1,spring-promo,ok,e`,
      'r-6,PHONE,IOS,Sales,17.4.1,spring-promo,ok,f',
    ];
    writeFileSync(join(cwd, 'rules.csv'), `${header}\n${rows.join('\n')}\n`);
    const run = await runCli(['submit', '--json', '-e', server.url, '--report', 'rules.report.ndjson', 'rules.csv'], { cwd });
    assert.equal(run.code, 1, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual([summary.invalid, summary.accepted], [5, 1]);
    const short = (error) => error.replace(/ one of .*/, ' one of …');
    // Five rows, eleven violations: a count is of violations (companySegment breaks its rule twice in row 5).
    const expected = [
      ['deviceType: must be one of …', 3, 2],
      ['platform: must be one of …', 3, 2],
      ['campaign: must match ^[a-zA-Z0-9\\-_]+$', 2, 2],
      ['companySegment[]: must be at most 64 characters', 2, 6],
      ['externalConversationId: must match ^[a-zA-Z0-9\\-_]+$', 1, 5],
    ];
    assert.deepEqual(
      summary.topErrors.map((e) => [short(e.error), e.count, e.example.line]),
      expected,
      'each rule once, with the first row it was seen on',
    );
    assert.equal(summary.topErrors.every((e) => e.example.file === 'rules.csv'), true);
    assert.match(run.stderr, /\n {2}top errors \(by rule; a row may break several\):\n {9}3 × deviceType: must be one of TABLET, PHONE, DESKTOP, WATCH, OTHER\n {9}3 × platform: must be one of SMS, WEB, /);

    const printed = await report(['rules.report.ndjson']);
    assert.equal(printed.code, 0, printed.stderr);
    const lines = printed.stdout.slice(printed.stdout.indexOf('\ntop errors (by rule; a row may break several):\n')).split('\n').slice(2, -1);
    assert.deepEqual(
      lines.map((l) => /^ +(\d+) × (.*)$/.exec(l).slice(1)).map(([n, error]) => [short(error), Number(n)]),
      expected.map(([error, count]) => [error, count]),
    );
    const json = JSON.parse((await report(['--json', 'rules.report.ndjson'])).stdout);
    assert.deepEqual(
      json.topErrors.map((e) => [short(e.error), e.count]),
      expected.map(([error, count]) => [error, count]),
    );
  });

  test('two shard reports cover every row exactly once: exit 0, complete', async () => {
    const result = await report(['--inputs', INPUT, 'shard-0.report.ndjson', 'shard-1.report.ndjson']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^reports: shard-0\.report\.ndjson \(15 lines\), shard-1\.report\.ndjson \(15 lines\)\nrows: 30 /);
    assert.match(result.stdout, /\n {2}samples\/conversations\.csv {2}30 rows: 30 accepted once\ncomplete: every row of 1 input \(30 rows\) accepted exactly once\n$/);
  });

  test('a shard report missing: exit 1, every row of the other shard listed at its file:line', async () => {
    const result = await report(['--inputs', INPUT, 'shard-0.report.ndjson']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /\nincomplete: 15 rows not accepted exactly once \(15 missing\)\n/);
    const listed = [...result.stdout.matchAll(/^ {2}samples\/conversations\.csv:(\d+): row (\d+): missing \(no report line has it\)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    // The other shard's report says where each of its rows is: the reader gives the same lines.
    const expected = readNdjson(join(cwd, 'shard-1.report.ndjson')).map((l) => [l.line, l.row]).sort((a, b) => a[1] - b[1]);
    assert.deepEqual(listed, expected);
    assert.ok(expected.some(([l, r]) => l !== r + 1), 'some rows start past line row + 1 (quoted line breaks)');
  });

  test('the same shard report given twice: its rows are duplicated, exit 1', async () => {
    const result = await report(['--inputs', INPUT, 'shard-0.report.ndjson', 'shard-1.report.ndjson', 'shard-0.report.ndjson']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /\n {2}duplicated 15 \(accepted more than once\)\n/);
    assert.match(result.stdout, /\n {2}samples\/conversations\.csv {2}30 rows: 15 accepted once, 15 duplicated\nincomplete: 15 rows not accepted exactly once \(15 duplicated\)\n/);
    assert.match(result.stdout, /\n {2}samples\/conversations\.csv:3: row 2: duplicated \(accepted more than once; last status accepted\)\n/);
  });

  test('a resumed report: a row failed then accepted is accepted; the last line decides, errors and all', async () => {
    const lines = [...readNdjson(join(cwd, 'shard-0.report.ndjson')), ...readNdjson(join(cwd, 'shard-1.report.ndjson'))];
    const byRow = new Map(lines.map((l) => [l.row, l]));
    const { line: line2 } = byRow.get(2);
    const { line: line4 } = byRow.get(4);
    // First run: row 2 failed, row 4 rejected; the --resume appended row 2 accepted, and every other row.
    const first = line({ line: line2, row: 2, status: 'failed', httpStatus: 503, attempts: 6, error: 'HTTP 503: unavailable' });
    const rejected = line({ line: line4, row: 4, status: 'rejected', httpStatus: 400, error: 'FAIL_BAD_PARAMS: platform: must be one of SMS, WEB (got "FAX")' });
    const resumed = lines.filter((l) => l.row !== 4).map((l) => `${JSON.stringify(l)}\n`);
    writeFileSync(join(cwd, 'resumed.report.ndjson'), first + rejected + resumed.join(''));
    const result = await report(['--inputs', INPUT, 'resumed.report.ndjson']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /\nrows: 30 \(each by its last line\)\n {2}accepted {3}29\n {2}rejected {3}1\n/);
    assert.match(result.stdout, /\ntop errors \(by rule; a row may break several\):\n +1 × FAIL_BAD_PARAMS: platform: must be one of SMS, WEB\n/);
    assert.doesNotMatch(result.stdout, /HTTP 503/, 'a superseded line counts for nothing');
    assert.match(result.stdout, /\nincomplete: 1 row not accepted exactly once \(1 not accepted\)\n/);
    assert.match(result.stdout, new RegExp(`\\n  samples/conversations\\.csv:${line4}: row 4: not accepted \\(last status rejected: FAIL_BAD_PARAMS: platform: must be one of SMS, WEB \\(got "FAX"\\)\\)\\n$`));

    writeFileSync(join(cwd, 'resumed.report.ndjson'), first + lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const complete = await report(['--inputs', INPUT, 'resumed.report.ndjson']);
    assert.equal(complete.code, 0, complete.stdout);
    assert.match(complete.stdout, /\ncomplete: every row of 1 input \(30 rows\) accepted exactly once\n$/);
  });

  test('a CSV report reads like an NDJSON one', async () => {
    const run = await runCli(['submit', '-e', server.url, '--shard', '0/2', '--report', 'shard-0.report.csv', INPUT], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(join(cwd, 'shard-0.report.csv'), 'utf8'), /^file,line,row,status,/);
    const result = await report(['--inputs', INPUT, 'shard-0.report.csv', 'shard-1.report.ndjson']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^reports: shard-0\.report\.csv \(15 lines\), shard-1\.report\.ndjson \(15 lines\)\n/);
    assert.match(result.stdout, /\ncomplete: every row of 1 input \(30 rows\) accepted exactly once\n$/);
  });

  test('--json: one object on stdout, with the coverage, the listed problems and the exit code', async () => {
    writeFileSync(join(cwd, 'extra.report.ndjson'), line({ line: 99, row: 98, status: 'accepted' }));
    const result = await report(['--json', '--list', '2', '--inputs', INPUT, '--inputs', './samples/conversations.csv', 'shard-0.report.ndjson', 'extra.report.ndjson']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout.trim().split('\n').length, 1, 'one line');
    const json = JSON.parse(result.stdout);
    assert.deepEqual(json.reports, [
      { report: 'shard-0.report.ndjson', lines: 15, tornLine: null, byStatus: { accepted: 15, rejected: 0, failed: 0, invalid: 0, valid: 0, dropped: 0, duplicate: 0, skipped: 0 } },
      { report: 'extra.report.ndjson', lines: 1, tornLine: null, byStatus: { accepted: 1, rejected: 0, failed: 0, invalid: 0, valid: 0, dropped: 0, duplicate: 0, skipped: 0 } },
    ]);
    assert.equal(json.lines, 16);
    assert.equal(json.rows, 16);
    assert.deepEqual(json.byStatus, { accepted: 16, rejected: 0, failed: 0, invalid: 0, valid: 0, dropped: 0, duplicate: 0, skipped: 0 });
    assert.deepEqual(json.files.map((f) => [f.file, f.rows, f.lines]), [[INPUT, 16, 16]]);
    assert.deepEqual(json.topErrors, []);
    assert.equal(json.exitCode, 1);
    const { coverage } = json;
    assert.equal(coverage.complete, false);
    assert.deepEqual(coverage.inputs, [
      { file: INPUT, named: true, rows: ROWS, acceptedOnce: 15, dropped: 0, duplicates: 0, skipped: 0, missing: 15, duplicated: 0, notAccepted: 0, notInInput: 1 },
      { file: './samples/conversations.csv', named: false, rows: ROWS, acceptedOnce: 0, dropped: 0, duplicates: 0, skipped: 0, missing: ROWS, duplicated: 0, notAccepted: 0, notInInput: 0 },
    ]);
    assert.deepEqual([coverage.rows, coverage.acceptedOnce, coverage.missing, coverage.notInInput], [2 * ROWS, 15, 15 + ROWS, 1]);
    assert.deepEqual(coverage.problems, [
      { file: INPUT, line: 2, row: 1, problem: 'missing', status: null, error: null },
      { file: INPUT, line: 4, row: 3, problem: 'missing', status: null, error: null },
    ]);
    assert.equal(coverage.unlisted, 15 + ROWS + 1 - 2);
  });

  test('--list caps the rows listed, not the counts; a row past the input, an input no report names', async () => {
    const result = await report(['--list', '4', '--inputs', INPUT, '--inputs', './samples/conversations.csv', 'extra.report.ndjson', 'shard-1.report.ndjson']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal([...result.stdout.matchAll(/^ {2}samples\/conversations\.csv:\d+: row \d+: missing/gm)].length, 4);
    assert.match(result.stdout, /\n {2}… and 42 more \(--list 4 lists the first 4; raise it to see more\)\n$/);
    assert.match(result.stdout, /\n {4}no report names "\.\/samples\/conversations\.csv" \(they name: "samples\/conversations\.csv"\): name the input exactly as it was given to submit\n/);
    const past = await report(['--list', '100', '--inputs', INPUT, 'shard-0.report.ndjson', 'shard-1.report.ndjson', 'extra.report.ndjson']);
    assert.equal(past.code, 1);
    assert.match(past.stdout, /\nincomplete: 1 row not accepted exactly once \(1 not in the input\)\n {2}samples\/conversations\.csv: row 98: not in the input, which has 30 rows \(the report gives line 99, last status accepted\)\n$/);
  });

  test('a file that is not a report, or one that cannot be read: exit 2 with one line, no verdict', async () => {
    const cases = [
      [['samples/conversations.ndjson'], /^bulk-submit: error: samples\/conversations\.ndjson:1: not a bulk-submit report: it names no "file" /],
      [[INPUT], /^bulk-submit: error: samples\/conversations\.csv:1: not a bulk-submit report: its first line is not the header file,line,row,status,/],
      [['nope.report.ndjson'], /^bulk-submit: error: nope\.report\.ndjson: no such report\n$/],
      [['--inputs', 'nope.csv', 'shard-0.report.ndjson'], /^bulk-submit: error: nope\.csv: no such file\n$/],
      [['--inputs', '-', 'shard-0.report.ndjson'], /^bulk-submit: error: Invalid --inputs: stdin \(-\) cannot be read again/],
    ];
    // A report line gone wrong in the middle is named by its line; a torn last line is not an error.
    const good = readFileSync(join(cwd, 'shard-0.report.ndjson'), 'utf8').split('\n');
    writeFileSync(join(cwd, 'broken.report.ndjson'), [...good.slice(0, 2), '{"file":"x.csv","row":1,"line":2,"status":"sent"}', ...good.slice(2)].join('\n'));
    cases.push([['shard-1.report.ndjson', 'broken.report.ndjson'], /^bulk-submit: error: broken\.report\.ndjson:3: not a bulk-submit report: its "status" is "sent", not one of accepted, rejected, failed, invalid, valid/]);
    for (const [args, message] of cases) {
      const result = await report(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '', 'no verdict');
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    writeFileSync(join(cwd, 'torn.report.ndjson'), `${good.join('\n')}{"file":"samples/conv`);
    const torn = await report(['--inputs', INPUT, 'torn.report.ndjson', 'shard-1.report.ndjson']);
    assert.equal(torn.code, 0, torn.stderr);
    assert.match(torn.stdout, /^reports: torn\.report\.ndjson \(15 lines; torn line 16 left out\), /);
  });

  test('rows are counted with the read options submit had: --no-trim', async () => {
    writeFileSync(join(cwd, 'spaces.csv'), 'External Conversation ID,Platform\nr-1,WEB\n   \nr-2,WEB\n');
    const run = await runCli(['validate', '--no-trim', '--report', 'spaces.validation.ndjson', 'spaces.csv'], { cwd });
    assert.equal(run.code, 1, 'the blank-looking line is a row of its own, ragged');
    const json = async (args) => JSON.parse((await report(['--json', ...args, '--inputs', 'spaces.csv', 'spaces.validation.ndjson'])).stdout).coverage;
    const same = await json(['--no-trim']);
    assert.deepEqual([same.rows, same.missing, same.notAccepted, same.notInInput], [3, 0, 3, 0], 'valid is not accepted');
    const trimmed = await json([]);
    assert.deepEqual([trimmed.rows, trimmed.notInInput], [2, 1], 'read otherwise, the rows do not line up');
  });
});

test('a report of a million lines runs in flat memory', async () => {
  const cwd = tempDir();
  const rows = 1_000_000;
  // Every thousandth row was never accepted: the listing stops at --list, the counts do not.
  const lines = [];
  for (let row = 1; row <= rows; row++) {
    if (row % 1000 !== 0) lines.push(`{"file":"big.csv","line":${row + 1},"row":${row},"status":"accepted","eventId":null,"digest":null,"httpStatus":200,"attempts":1,"error":null}\n`);
  }
  writeFileSync(join(cwd, 'big.report.ndjson'), lines.join(''));
  lines.length = 0;
  writeFileSync(join(cwd, 'big.csv'), `External Conversation ID\n${Array.from({ length: rows }, (_, i) => `conversation-${i + 1}`).join('\n')}\n`);
  // The peak resident memory of the CLI, as the process itself sees it when it exits.
  // (With -e, process.argv is [node, BIN, 'report', …]: the CLI reads it as if BIN had been run.)
  const script = `process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(pathToFileURL(BIN).href)});`;
  // A small heap, so that what is flat is told from what V8 lets grow while it can (Node 24 grows its young
  // generation to 64 MiB on a long run): keeping the lines would run out of memory here, not just use more.
  const heap = ['--max-old-space-size=48', '--max-semi-space-size=4'];
  const child = spawn(process.execPath, [...heap, '--input-type=module', '-e', script, BIN, 'report', '--json', '--inputs', 'big.csv', 'big.report.ndjson'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  rmSync(cwd, { recursive: true, force: true });
  assert.equal(code, 1, stderr);
  const { coverage, lines: read } = JSON.parse(stdout);
  assert.equal(read, rows - 1000);
  assert.deepEqual([coverage.rows, coverage.acceptedOnce, coverage.missing, coverage.problems.length, coverage.unlisted], [rows, rows - 1000, 1000, 100, 900]);
  const maxRssMiB = Number(/maxRSS (\d+)/.exec(stderr)[1]) / 1024;
  // Kept line by line, a million lines would take several hundred MiB; flat, it stays near Node's own size.
  assert.ok(maxRssMiB < 160, `peak RSS ${Math.round(maxRssMiB)} MiB`);
});
