// Date-times from real exports: a space for T and missing seconds are accepted and sent as RFC 3339; a
// value without an offset is read in --timezone, and without it is invalid, saying so.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readNdjson, readStore, runCli, startStoringServe, tempDir } from '../helpers/cli.js';
import { withScripted } from '../helpers/scripted-server.js';

let serve;
before(async () => (serve = await startStoringServe()));
after(() => serve.stop());

/** Writes an agents CSV of `[id, start]` rows into a new folder; returns the folder. */
function agents(rows) {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.csv'), `External Agent ID,Start Ts\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  return cwd;
}

/** Submits in.csv from `cwd` to serve; resolves the exit code, the report by row, and startTs as stored, by id. */
async function submit(cwd, args) {
  const result = await runCli(['submit', '-e', serve.url, '--kind', 'agent', 'in.csv', ...args], { cwd });
  const report = Object.fromEntries(readNdjson(join(cwd, 'in.csv.report.ndjson')).map((l) => [l.row, l]));
  const stored = Object.fromEntries(readStore(serve.store).map((s) => [s.record.externalAgentId, s.record.startTs]));
  return { ...result, report, stored };
}

test('--timezone Europe/Paris: a space for T, no seconds, no zone, read in Paris (+01:00 in winter, +02:00 in summer); written offsets kept', async () => {
  const cwd = agents([
    ['paris-1', '2024-01-05 10:22:00'],
    ['paris-2', '2024-01-05T10:22'],
    ['paris-3', '2024-07-05 10:22'],
    ['paris-4', '2024-01-05T10:22:00Z'],
    ['paris-5', '2024-01-05 10:22:00.250+0530'],
  ]);
  const result = await submit(cwd, ['--timezone', 'Europe/Paris']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    ['paris-1', 'paris-2', 'paris-3', 'paris-4', 'paris-5'].map((id) => result.stored[id]),
    ['2024-01-05T10:22:00+01:00', '2024-01-05T10:22:00+01:00', '2024-07-05T10:22:00+02:00', '2024-01-05T10:22:00Z', '2024-01-05T10:22:00.250+05:30'],
  );
});

test('--timezone UTC sends Z', async () => {
  const result = await submit(agents([['utc-1', '2024-01-05 10:22'], ['utc-2', '2024-07-05T23:59:59']]), ['--timezone', 'UTC']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual([result.stored['utc-1'], result.stored['utc-2']], ['2024-01-05T10:22:00Z', '2024-07-05T23:59:59Z']);
});

test('without --timezone, a date-time without an offset is invalid with a message naming --timezone; one with an offset is sent', async () => {
  const result = await submit(agents([['none-1', '2024-01-05 10:22'], ['none-2', '2024-01-05 10:22+01:00']]), []);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.report[1].status, 'invalid');
  assert.equal(result.report[1].error, 'startTs: has no UTC offset: pass --timezone with the zone it was written in (e.g. --timezone Europe/Paris), or write the offset (got "2024-01-05 10:22")');
  assert.equal(result.stored['none-2'], '2024-01-05T10:22:00+01:00');
  assert.equal(result.stored['none-1'], undefined);
});

test('daylight saving in Paris: a time the clocks skip and one they repeat are invalid, saying which; the times around them are sent', async () => {
  const result = await submit(
    agents([
      ['dst-1', '2024-03-31 02:30'],
      ['dst-2', '2024-10-27 02:30'],
      ['dst-3', '2024-03-31 03:30'],
      ['dst-4', '2024-10-27 01:30'],
      ['dst-5', '2024-10-27 03:30'],
    ]),
    ['--timezone', 'Europe/Paris'],
  );
  assert.equal(result.code, 1, result.stderr);
  // The `; ` within one violation is written with a no-break space: in a row's error, `; ` separates violations.
  assert.equal(result.report[1].error, 'startTs: 2024-03-31 02:30 does not exist in Europe/Paris (the clocks skip it);\u00a0write the offset (got "2024-03-31 02:30")');
  assert.equal(result.report[2].error, 'startTs: 2024-10-27 02:30 occurs twice in Europe/Paris (at +02:00, then again at +01:00, as the clocks go back);\u00a0write the offset meant (got "2024-10-27 02:30")');
  assert.deepEqual(['dst-3', 'dst-4', 'dst-5'].map((id) => result.stored[id]), ['2024-03-31T03:30:00+02:00', '2024-10-27T01:30:00+02:00', '2024-10-27T03:30:00+01:00']);
});

test('a value that is not a date-time is invalid, --timezone or not, the message saying which forms are read', async () => {
  const cwd = agents([['nodate-1', 'next tuesday'], ['nodate-2', '2024-02-30 10:00'], ['nodate-3', '05/01/2024 10:22']]);
  const result = await runCli(['validate', '--kind', 'agent', '--timezone', 'Europe/Paris', 'in.csv'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const report = readNdjson(join(cwd, 'in.csv.validation.ndjson')).sort((a, b) => a.row - b.row);
  assert.deepEqual(report.map((l) => l.error), [
    'startTs: is not a date-time: write it as 2024-01-05T10:22:00Z or 2024-01-05 10:22+01:00 (with --timezone, 2024-01-05 10:22 and a date alone, 2024-01-05, are read too) (got "next tuesday")',
    'startTs: is not a real date and time: no such day, time of day or offset (got "2024-02-30 10:00")',
    'startTs: is ambiguous (5 January or 1 May 2024?): write the year first, 2024-01-05 10:22 or 2024-05-01 10:22 (got "05/01/2024 10:22")',
  ]);
});

test('a date alone: midnight in --timezone (sent with the offset there); without --timezone, invalid, saying to pass it or give a time', async () => {
  const result = await submit(agents([['day-1', '2024-01-05'], ['day-2', '2024-07-05']]), ['--timezone', 'Europe/Paris']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual([result.stored['day-1'], result.stored['day-2']], ['2024-01-05T00:00:00+01:00', '2024-07-05T00:00:00+02:00']);
  const cwd = agents([['day-3', '2024-01-05'], ['day-4', '2024-01-05 00:00Z']]);
  const refused = await runCli(['validate', '--kind', 'agent', 'in.csv'], { cwd });
  assert.equal(refused.code, 1, refused.stderr);
  const report = readNdjson(join(cwd, 'in.csv.validation.ndjson')).sort((a, b) => a.row - b.row);
  assert.deepEqual(report.map((l) => [l.status, l.error]), [
    ['invalid', 'startTs: is a date without a time, which names no instant: pass --timezone to read it as midnight there (e.g. --timezone Europe/Paris), or write the time and its offset (got "2024-01-05")'],
    ['valid', null],
  ]);
});

test('NDJSON strings for a date-time property are read the same way', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), '{"externalAgentId":"nd-1","startTs":"2024-07-05 10:22"}\n');
  const result = await runCli(['submit', '-e', serve.url, '--kind', 'agent', '--timezone', 'Europe/Paris', 'in.ndjson'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readStore(serve.store).find((s) => s.record.externalAgentId === 'nd-1').record.startTs, '2024-07-05T10:22:00+02:00');
});

test("a user's --schema: any property with format date-time is read, at any name", async () => {
  const cwd = tempDir();
  const schema = { type: 'object', properties: { id: { type: 'string' }, openedAt: { type: 'string', format: 'date-time' }, note: { type: 'string' } }, additionalProperties: false };
  writeFileSync(join(cwd, 'schema.json'), JSON.stringify(schema));
  writeFileSync(join(cwd, 'in.csv'), 'id,openedAt,note\nt-1,2024-12-24 18:00,2024-12-24 18:00\n');
  await withScripted(() => ({ status: 200, body: {} }), async (server) => {
    const result = await runCli(['submit', '-e', server.url, '--schema', 'schema.json', '--path', '/tickets', '--timezone', 'America/New_York', 'in.csv'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(server.requests[0].body), { id: 't-1', openedAt: '2024-12-24T18:00:00-05:00', note: '2024-12-24 18:00' }, 'a plain string property is left as it is');
  });
});

test('an unknown zone name is refused before anything is sent (exit 2, naming --timezone)', async () => {
  await withScripted(() => ({ status: 200, body: {} }), async (server) => {
    for (const zone of ['Mars/Olympus_Mons', '+01:00']) {
      const result = await runCli(['submit', '-e', server.url, '--kind', 'agent', '--timezone', zone, 'in.csv'], { cwd: agents([['z-1', '2024-01-05 10:22']]) });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /option '--timezone <zone>' argument '.*' is invalid\. must be an IANA time zone name such as Europe\/Paris or UTC/);
    }
    const viaEnv = await runCli(['validate', '--kind', 'agent', 'in.csv'], { cwd: agents([['z-2', '2024-01-05 10:22']]), env: { BULK_SUBMIT_TIMEZONE: 'Nowhere/City' } });
    assert.equal(viaEnv.code, 2, viaEnv.stderr);
    assert.equal(server.requests.length, 0);
  });
});
