// Unit tests for src/options/ and src/util/duration.ts: the options table, env names, value parsers, the library's checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTIONS, commanderOptions, envName, errorBudget, parseHeaderLine, shard, timeZone } from '../../dist/options/index.js';
import { validate } from '../../dist/index.js';
import { formatDuration, parseDuration } from '../../dist/util/duration.js';

const spec = (flag) => {
  const found = OPTIONS.find((o) => o.flags.split(/[ ,]+/).includes(flag));
  assert.ok(found, `option ${flag} exists`);
  return found;
};

test('durations: 250ms, 30s, 10m, 1h, bare milliseconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1500'), 1500);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration(' 2S '), 2000, 'units in any case, spaces around');
  assert.equal(parseDuration('5 m'), 300_000);
});

test('durations refuse anything else, naming the option and the value', () => {
  for (const junk of ['soon', '', '-5', '5d', '1h30m', 's', '1.2.3s', '10 minutes', 'ms']) {
    assert.throws(() => parseDuration(junk, '--timeout'), (error) => {
      assert.equal(error.code, 'BULK_OPTION_INVALID', JSON.stringify(junk));
      assert.match(error.message, /^Invalid --timeout: expected a duration like 250ms, 30s, 10m, 1h or milliseconds, got "/);
      assert.ok(error.message.endsWith(`got "${junk}"`));
      return true;
    });
  }
});

test('durations format back for people', () => {
  assert.deepEqual([850, 12_345, 245_000, 3_720_000].map(formatDuration), ['850ms', '12.3s', '4m05s', '1h02m']);
});

test('env names: BULK_SUBMIT_ + the long flag in upper snake case, unique, unless the option says otherwise', () => {
  assert.equal(envName(spec('--max-errors')), 'BULK_SUBMIT_MAX_ERRORS');
  assert.equal(envName(spec('--endpoint')), 'BULK_SUBMIT_ENDPOINT');
  assert.equal(envName(spec('--concurrency')), 'BULK_SUBMIT_CONCURRENCY');
  assert.equal(envName(spec('--timeout')), 'BULK_SUBMIT_TIMEOUT');
  assert.equal(envName(spec('--api-id')), 'ASAPP_API_ID');
  assert.equal(envName(spec('--api-secret')), 'ASAPP_API_SECRET');
  assert.equal(envName(spec('--header')), undefined, 'repeatable --header has no env');
  const seen = new Map();
  for (const option of OPTIONS) {
    const env = envName(option);
    if (env === undefined) continue;
    assert.match(env, /^(BULK_SUBMIT_[A-Z0-9_]+|ASAPP_API_(ID|SECRET))$/, option.flags);
    assert.equal(seen.get(env), undefined, `${env} used by ${seen.get(env)} and ${option.flags}`);
    seen.set(env, option.flags);
  }
});

test('the table feeds commander: defaults, env names and parsers per command', () => {
  const submit = commanderOptions('submit');
  const concurrency = submit.find((o) => o.long === '--concurrency');
  assert.equal(concurrency.defaultValue, 8);
  assert.equal(concurrency.envVar, 'BULK_SUBMIT_CONCURRENCY');
  const timeout = submit.find((o) => o.long === '--timeout');
  assert.equal(timeout.defaultValue, 30_000);
  assert.equal(timeout.parseArg('250ms'), 250);
  assert.throws(() => timeout.parseArg('soon'), /must be a duration/);
  assert.throws(() => concurrency.parseArg('0'), /whole number from 1 to 256/);
  assert.equal(spec('--kind').defaultValue, 'conversation');
  assert.equal(commanderOptions('serve').some((o) => o.long === '--endpoint'), false, 'serve has no --endpoint');
  assert.equal(commanderOptions('validate').some((o) => o.long === '--report'), true);
});

test('--header "Name: value" parses; anything else is refused', () => {
  assert.deepEqual(parseHeaderLine('X-Trace:  a:b '), ['x-trace', 'a:b']);
  assert.deepEqual(parseHeaderLine('Authorization: Bearer abc.def'), ['authorization', 'Bearer abc.def']);
  assert.deepEqual(parseHeaderLine('X-Empty:'), ['x-empty', '']);
  for (const bad of ['no colon', ': value', 'Bad Name: x', 'X(y): z']) {
    assert.throws(() => parseHeaderLine(bad), (error) => error.code === 'commander.invalidArgument' && error.message.includes(`got "${bad}"`), bad);
  }
});

test('--shard K/N parses', () => {
  assert.deepEqual(shard('2/4'), { index: 2, count: 4 });
  assert.deepEqual(shard(' 0 / 1 '), { index: 0, count: 1 });
  for (const bad of ['4/4', '1/0', 'x', '1']) assert.throws(() => shard(bad), bad);
});

test('--max-errors takes a count or a share between 0% and 100%', () => {
  assert.equal(errorBudget('10'), 10);
  assert.equal(errorBudget(' 0 '), 0);
  assert.equal(errorBudget('2%'), '2%');
  assert.equal(errorBudget('2.50%'), '2.5%');
  for (const junk of ['0%', '100%', '150%', '-1', '2 %', '%', 'two', '1.5', '']) {
    assert.throws(() => errorBudget(junk), /must be a count such as 10 or a share above 0% and below 100% such as 2%/, JSON.stringify(junk));
  }
  assert.match(spec('--max-errors').description, /judged from row 100 on/, '--help says from which row a share is judged');
});

test('--timezone takes IANA names as Intl spells them, and refuses unknown names and bare offsets, on the command line and in the library', async () => {
  assert.equal(timeZone('Europe/Paris'), 'Europe/Paris');
  assert.equal(timeZone('europe/paris'), 'Europe/Paris');
  assert.equal(timeZone('utc'), 'UTC');
  assert.throws(() => timeZone('Mars/Olympus_Mons'), /must be an IANA time zone name such as Europe\/Paris or UTC, got "Mars\/Olympus_Mons"/);
  assert.throws(() => timeZone('+01:00'), /not an offset/);
  assert.deepEqual(spec('--timezone').commands, ['submit', 'validate']);
  assert.deepEqual(spec('--transform').commands, ['submit', 'validate']);
  await assert.rejects(validate({ files: ['x.csv'], timezone: 'Nowhere/City' }), { code: 'BULK_OPTION_INVALID', message: /^Invalid --timezone: must be an IANA time zone name/ });
});

test('the library checks its options by the table\'s own rules and applies the table\'s defaults', async () => {
  const { resolveOptions } = await import('../../dist/options/index.js');
  const resolved = resolveOptions('submit', { concurrency: 4 });
  assert.equal(resolved.concurrency, 4);
  assert.equal(resolved.timeout, 30_000, 'a default from the table');
  assert.equal(resolved.trim, true, 'a negatable option is on by default');
  assert.equal(resolved.batchSize, undefined, 'a default a rule applies is left to the run');
  for (const [options, message] of [
    [{ concurrency: 0 }, /^Invalid --concurrency: must be a whole number from 1 to 256, or auto \(auto:N to adapt up to N\), got "0"$/],
    [{ concurrency: 300 }, /^Invalid --concurrency: must be a whole number from 1 to 256/],
    [{ rate: -1 }, /^Invalid --rate: must be a whole number from 0 up/],
    [{ batchWait: 'soon' }, /^Invalid --batch-wait: must be a duration/],
    [{ shard: { index: 4, count: 4 } }, /^Invalid --shard: must be K\/N with 0 ≤ K < N/],
    [{ kind: 'order' }, /^Invalid --kind: must be one of conversation, customer, agent, got "order"$/],
    [{ coerce: 'yes' }, /^Invalid --coerce: must be true or false/],
    [{ timeout: 0 }, /^Invalid --timeout: must be a duration above 0/],
  ]) {
    assert.throws(() => resolveOptions('submit', options), (error) => error.code === 'BULK_OPTION_INVALID' && message.test(error.message), JSON.stringify(options));
  }
  assert.deepEqual(resolveOptions('submit', { maxErrors: '2%', shard: { index: 1, count: 3 } }).shard, { index: 1, count: 3 });
  assert.equal(resolveOptions('serve', {}).port, 8080);
});

test('one rule says which headers are secret, for --print-config and for plain http alike', async () => {
  const { SECRET_HEADER } = await import('../../dist/options/index.js');
  for (const name of ['asapp-api-secret', 'asapp-api-id', 'authorization', 'x-api-key', 'cookie', 'x-token']) assert.ok(SECRET_HEADER.test(name), name);
  for (const name of ['accept', 'x-request-source', 'content-type']) assert.ok(!SECRET_HEADER.test(name), name);
});
