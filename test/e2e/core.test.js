// The pipeline end to end: the real CLI as a child process against the real `serve` on 127.0.0.1.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SAMPLES, readNdjson, readStore, runCli, startServe, tempDir } from '../helpers/cli.js';

const sample = (name) => join(SAMPLES, name);

describe('submit against serve', () => {
  let server;
  let dir;
  let store;
  before(async () => {
    dir = tempDir();
    store = join(dir, 'store.ndjson');
    server = await startServe(['--store', store]);
  });
  after(async () => {
    await server.stop();
  });

  test('CSV sample: every row accepted, one report line per row, exact records stored', async () => {
    const cwd = tempDir();
    const result = await runCli(['submit', '--endpoint', server.url, sample('conversations.csv')], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /accepted\s+30/);
    const report = readNdjson(join(cwd, 'conversations.csv.report.ndjson'));
    assert.equal(report.length, 30);
    assert.deepEqual(report.map((l) => l.row).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
    for (const line of report) {
      assert.equal(line.status, 'accepted');
      assert.equal(line.httpStatus, 200);
      assert.equal(line.attempts, 1);
      assert.equal(line.error, null);
      assert.match(line.eventId, /^bs-[0-9a-f]{40}$/);
      assert.equal(line.file, sample('conversations.csv'));
    }
    // Rows 4 and 26 hold a cell spanning two lines: `line` is where each row starts.
    const byRow = new Map(report.map((l) => [l.row, l]));
    assert.equal(byRow.get(1).line, 2);
    assert.equal(byRow.get(4).line, 5);
    assert.equal(byRow.get(5).line, 7);
    assert.equal(byRow.get(27).line, 30);

    const stored = readStore(store).map((s) => s.record);
    const first = stored.find((r) => r.externalConversationId === 'conv-2026-0001');
    assert.deepEqual(first.companySegment, ['Sales', 'Marketing']);
    assert.deepEqual(first.attributes, [
      { name: 'channel', value: 'chat' },
      { name: 'priority', value: 'high' },
    ]);
    const second = stored.find((r) => r.externalConversationId === 'conv-2026-0002');
    assert.deepEqual(second.companySegment, ['Sales', 'Support'], 'JSON array cell');
    assert.equal(second.lobName, 'Retail, Small Business');
    assert.equal(second.businessRule, 'Apply customer\'s "gold" discount');
    const third = stored.find((r) => r.externalConversationId === 'conv-2026-0003');
    assert.deepEqual(Object.keys(third).sort(), ['eventId', 'externalConversationId'], 'empty cells omitted, no attributes');
    const fourth = stored.find((r) => r.externalConversationId === 'conv-2026-0004');
    assert.match(fourth.businessRule, /\n/, 'multi-line cell kept');
    assert.ok(stored.every((r) => !('_internal_note' in r) && !('internalNote' in r)));
    const reportIds = new Set(report.map((l) => l.eventId));
    for (const id of stored.filter((r) => r.externalConversationId.startsWith('conv-2026-')).map((r) => r.eventId)) assert.ok(reportIds.has(id));
  });

  test('the same file again: same eventIds, answered 409, counted accepted, nothing stored twice', async () => {
    const cwd = tempDir();
    const before = readStore(store).length;
    const result = await runCli(['submit', '--endpoint', server.url, sample('customers.csv'), '--kind', 'customer', '--batch-size', '1'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const again = await runCli(['submit', '--endpoint', server.url, sample('customers.csv'), '--kind', 'customer', '--batch-size', '1', '--force'], { cwd });
    assert.equal(again.code, 0, again.stderr);
    const report = readNdjson(join(cwd, 'customers.csv.report.ndjson'));
    assert.ok(report.every((l) => l.status === 'accepted' && l.httpStatus === 409));
    assert.equal(readStore(store).length, before + 12);
  });

  test('NDJSON, gzip and stdin, several files in one run', async () => {
    const cwd = tempDir();
    const gz = join(cwd, 'agents.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(sample('agents.csv'))));
    const result = await runCli(['submit', '--endpoint', server.url, '--kind', 'agent', gz, '-', '--format', 'csv', '--report', 'agents.ndjson'], {
      cwd,
      input: readFileSync(sample('agents.csv')).toString().replace(/agent-0/g, 'agent-x'),
    });
    assert.equal(result.code, 0, result.stderr);
    const report = readNdjson(join(cwd, 'agents.ndjson'));
    assert.equal(report.filter((l) => l.file === gz).length, 12);
    assert.equal(report.filter((l) => l.file === '-').length, 12);
    const stored = readStore(store).map((s) => s.record);
    const agent = stored.find((r) => r.externalAgentId === 'agent-0001');
    assert.ok(agent, 'gzip rows stored');
    assert.equal(typeof agent.concurrency, 'number', 'integers converted');
    assert.ok(Array.isArray(agent.languages));

    const nd = await runCli(['submit', '--endpoint', server.url, sample('conversations.ndjson')], { cwd });
    assert.equal(nd.code, 0, nd.stderr);
    const ndReport = readNdjson(join(cwd, 'conversations.ndjson.report.ndjson'));
    assert.equal(ndReport.length, 12);
    assert.equal(ndReport.find((l) => l.row === 1).eventId, 'evt-ndjson-0001', 'own eventId kept');
    const withComment = readStore(store).map((s) => s.record).filter((r) => r.externalConversationId?.startsWith('nd-conv-'));
    assert.equal(withComment.length, 12);
    assert.ok(withComment.every((r) => Object.keys(r).every((k) => !k.startsWith('_'))), '_ fields dropped');
  });

  test('a misspelt header refuses the file before anything is sent (exit 2)', async () => {
    const cwd = tempDir();
    const file = join(cwd, 'typo.csv');
    writeFileSync(file, 'External Conversation ID,Devise Type\nc-1,PHONE\n');
    const before = readStore(store).length;
    const result = await runCli(['submit', '--endpoint', server.url, sample('conversations.csv'), file], { cwd });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /typo\.csv:1: unknown column "Devise Type" \(closest property: deviceType\)/);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(readStore(store).length, before, 'nothing sent, not even the good file');
    assert.equal(existsSync(join(cwd, 'conversations.csv.report.ndjson')), false);
  });

  test('a file of another kind (a forgotten --kind) is told as such, in one line, with no far-fetched hints', async () => {
    const cwd = tempDir();
    const result = await runCli(['validate', sample('agents.csv')], { cwd });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /agents\.csv:1: these columns are the agent record's: pass --kind agent \(16 of 23 are not properties of the conversation record: "External Agent ID", "Start Ts", /);
    assert.doesNotMatch(result.stderr, /closest property/);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    const right = await runCli(['validate', '--kind', 'agent', sample('agents.csv'), '--force'], { cwd });
    assert.equal(right.code, 0, right.stderr);
  });

  test('invalid rows are reported with every violation and never sent; rejects can be fixed and fed back', async () => {
    const cwd = tempDir();
    const result = await runCli(['submit', '--endpoint', server.url, sample('bad-rows.csv'), '--rejects', 'rejects.csv'], { cwd });
    assert.equal(result.code, 1);
    const report = readNdjson(join(cwd, 'bad-rows.csv.report.ndjson'));
    assert.equal(report.length, 10);
    assert.equal(report.filter((l) => l.status === 'invalid').length, 9);
    const byRow = new Map(report.map((l) => [l.row, l]));
    assert.equal(byRow.get(1).error, 'externalConversationId: is required');
    assert.equal(byRow.get(3).error, 'deviceType: must be one of TABLET, PHONE, DESKTOP, WATCH, OTHER (got "LAPTOP")');
    assert.equal(byRow.get(3).attempts, 0);
    assert.equal(byRow.get(10).status, 'accepted');
    const stored = readStore(store).map((s) => s.record.externalConversationId);
    assert.ok(stored.includes('good-0010'));
    assert.ok(!stored.includes('bad-0003'), 'invalid rows never sent');

    const rejects = readFileSync(join(cwd, 'rejects.csv'), 'utf8');
    const lines = rejects.trim().split('\n');
    assert.match(lines[0], /^_line,_error,_eventId,External Conversation ID,/);
    assert.equal(lines.length, 10, 'header + 9 rejected rows');
    // Fix row 3 (LAPTOP → DESKTOP), drop the others, feed it back.
    const fixed = [lines[0], lines.find((l) => l.includes('LAPTOP')).replace(',LAPTOP,', ',DESKTOP,')].join('\n') + '\n';
    writeFileSync(join(cwd, 'fixed.csv'), fixed);
    const again = await runCli(['submit', '--endpoint', server.url, 'fixed.csv'], { cwd });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(readStore(store).some((s) => s.record.externalConversationId === 'bad-0003' && s.record.deviceType === 'DESKTOP'));
  });

  test('an existing report refuses a large input (prepared in threads) too, and the process exits at once', async () => {
    const cwd = tempDir();
    // Over the 1 MiB a file needs to be prepared in threads: those read ahead while the report is opened,
    // and once kept the process alive for minutes after the refusal (runCli gives it 60 s).
    const [header, ...rows] = readFileSync(sample('conversations.csv'), 'utf8').trim().split('\n');
    const body = rows.join('\n') + '\n';
    writeFileSync(join(cwd, 'big.csv'), header + '\n' + body.repeat(Math.ceil((2 * 1024 * 1024) / body.length)));
    writeFileSync(join(cwd, 'big.csv.report.ndjson'), 'keep me\n');
    const before = readStore(store).length;
    for (const command of ['submit', 'validate']) {
      const refused = await runCli(command === 'submit' ? [command, '--endpoint', server.url, 'big.csv'] : [command, '--report', 'big.csv.report.ndjson', 'big.csv'], { cwd });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /big\.csv\.report\.ndjson: the report file already exists/);
    }
    assert.equal(readFileSync(join(cwd, 'big.csv.report.ndjson'), 'utf8'), 'keep me\n');
    assert.equal(readStore(store).length, before);
  });

  test('an existing report stops the run before sending; --force overwrites; .csv report; --json on stdout only', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'conversations.csv.report.ndjson'), 'keep me\n');
    const before = readStore(store).length;
    const refused = await runCli(['submit', '--endpoint', server.url, sample('conversations.csv')], { cwd });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already exists/);
    assert.equal(readFileSync(join(cwd, 'conversations.csv.report.ndjson'), 'utf8'), 'keep me\n');
    assert.equal(readStore(store).length, before);

    const csv = await runCli(['submit', '--endpoint', server.url, sample('legacy-export.csv'), '--map', sample('mapping.example.json'), '--report', 'r.csv', '--json'], { cwd });
    assert.equal(csv.code, 0, csv.stderr);
    const summary = JSON.parse(csv.stdout);
    assert.equal(summary.accepted, 6);
    assert.equal(summary.exitCode, 0);
    const csvReport = readFileSync(join(cwd, 'r.csv'), 'utf8').trim().split('\n');
    assert.equal(csvReport[0], 'file,line,row,status,eventId,digest,httpStatus,attempts,error,repeats,acceptedOn');
    assert.equal(csvReport.length, 7);
    assert.equal((statSync(join(cwd, 'r.csv')).mode & 0o777).toString(8), '600');

    const forced = await runCli(['submit', '--endpoint', server.url, sample('conversations.csv'), '--force'], { cwd });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readNdjson(join(cwd, 'conversations.csv.report.ndjson')).length, 30);
  });

  test('validate and --dry-run send nothing', async () => {
    const cwd = tempDir();
    const before = readStore(store).length;
    const valid = await runCli(['validate', sample('conversations.csv')], { cwd });
    assert.equal(valid.code, 0, valid.stderr);
    const report = readNdjson(join(cwd, 'conversations.csv.validation.ndjson'));
    assert.equal(report.length, 30);
    assert.ok(report.every((l) => l.status === 'valid'));
    const dry = await runCli(['submit', '--dry-run', '--endpoint', server.url, sample('bad-rows.csv')], { cwd });
    assert.equal(dry.code, 1);
    assert.equal(readNdjson(join(cwd, 'bad-rows.csv.validation.ndjson')).filter((l) => l.status === 'invalid').length, 9);
    assert.equal(readStore(store).length, before);
  });
});

describe('serve with keys', () => {
  test('401 aborts the run at once with exit 3; keys from the environment are accepted', async () => {
    const dir = tempDir();
    const server = await startServe(['--api-id', 'id-1', '--api-secret', 'secret-1', '--store', join(dir, 's.ndjson')]);
    try {
      const big = join(dir, 'big.csv');
      copyFileSync(sample('conversations.csv'), big);
      const refused = await runCli(['submit', '--endpoint', server.url, '--concurrency', '1', '--batch-size', '1', big], { cwd: dir, env: { ASAPP_API_ID: 'id-1', ASAPP_API_SECRET: 'wrong' } });
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /refused the credentials/);
      const report = readNdjson(join(dir, 'big.csv.report.ndjson'));
      assert.ok(report.length < 30, `stopped early, ${report.length} lines`);
      const ok = await runCli(['submit', '--endpoint', server.url, big, '--force'], { cwd: dir, env: { ASAPP_API_ID: 'id-1', ASAPP_API_SECRET: 'secret-1' } });
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      const stopped = await server.stop();
      assert.match(stopped.stderr, /stopped after \d+ requests .*stored 30 records/);
    }
  });
});
