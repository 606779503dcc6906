/* global window -- the functions given to page.evaluate() run in the browser */
// The pages bulk-submit writes (--html), opened in a real browser (Debian's Chromium, headless): a run's
// page against an endpoint that throttles, fails and goes away for a while; and the report command's.
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserSkip, openPage, shotsDir } from '../helpers/browser.js';
import { ROOT, runCli, tempDir, withServe } from '../helpers/cli.js';
import { withScripted } from '../helpers/scripted-server.js';

const skip = browserSkip();

function rows(n) {
  return `${Array.from({ length: n }, (_, i) => `{"externalConversationId":"page-${i}","platform":"WEB"}`).join('\n')}\n`;
}

/** The numbers a table shows, by field: `{accepted: 1200, …}` (the first row that has each). */
async function tableNumbers(page, id) {
  return page.$$eval(`#${id} [data-field]`, (cells) => Object.fromEntries(cells.reverse().map((c) => [c.dataset.field, Number(c.textContent.replace(/,/g, ''))])));
}

const sum = (values) => values.reduce((a, v) => a + (v ?? 0), 0);

test('a run\'s page: every chart drawn from the run\'s timeline (the 429s, the 5xx, the outage\'s probes), tables equal to the summary, nothing fetched, no error', { skip, timeout: 180_000 }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), rows(1200));
  // 429 past 150 requests a second (so the run lasts 8 s at least), 1 in 20 answered 503, and no connection at all
  // from 3 s to 6 s after serve started: within the run, however slowly it starts. Without a rate of its
  // own (--rate 0) a row can meet 429 several times running; --retries 20 keeps it from running out.
  await withServe(['--latency', '2ms', '--rate-limit', '150', '--fail-rate', '0.05', '--outage', '3s:3s'], async (server) => {
    const run = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--concurrency', '8', '--rate', '0', '--retries', '20', '--max-outage', '60s', '--html', 'run.html', '--json', 'in.ndjson'], { cwd, timeoutMs: 150_000 });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.ok(summary.responses['4xx'] > 0 && summary.responses['5xx'] > 0 && summary.probes > 0, `faults seen: ${JSON.stringify(summary.responses)}, ${summary.probes} probes`);
    const html = join(cwd, 'run.html');
    assert.equal(statSync(html).mode & 0o777, 0o600, 'the page holds customer data: 0600');
    const { page, errors, requests, close } = await openPage(html);
    try {
      await page.waitForFunction(() => window.__charts && Object.keys(window.__charts).length === 4, null, { timeout: 30_000 });
      assert.deepEqual(errors, [], 'no console error');
      assert.deepEqual(requests, [], 'the page fetched nothing');
      const drawn = await page.evaluate(() => Object.fromEntries(Object.entries(window.__charts).map(([name, u]) => [name, { points: u.data[0].length, series: u.series.slice(1).map((s) => s.label), data: u.data.slice(1), canvas: [u.ctx.canvas.width, u.ctx.canvas.height] }])));
      const { timeline } = JSON.parse(await page.$eval('#run-data', (el) => el.textContent));
      for (const [name, chart] of Object.entries(drawn)) {
        assert.equal(chart.points, timeline.t.length, `${name}: one point a sample`);
        assert.ok(chart.canvas[0] > 0 && chart.canvas[1] > 0, `${name}: drawn on a canvas`);
      }
      assert.ok(timeline.t.length >= 3, `a few seconds sampled: ${timeline.t.length}`);
      // Every request and row of the run is in the timeline, second by second; the 429s are in the 4xx the responses chart draws.
      assert.equal(sum(timeline.series.r4xx), summary.responses['4xx']);
      assert.equal(sum(timeline.series.r5xx), summary.responses['5xx']);
      assert.equal(sum(timeline.series.probes), summary.probes);
      assert.equal(sum(timeline.series.accepted), summary.accepted);
      const fourXX = drawn.responses.data[drawn.responses.series.indexOf('4xx (429 included)')];
      assert.ok(fourXX.some((v) => v > 0), 'the 429 burst shows in the responses chart');
      assert.ok(drawn.latency.data.flat().some((v) => v > 0), 'latencies drawn');
      const shown = await tableNumbers(page, 'summary');
      for (const field of ['rows', 'accepted', 'requests', 'retries', 'rowsPerSecond']) assert.equal(shown[field], summary[field], field);
      assert.equal(shown['responses.4xx'], summary.responses['4xx']);
      assert.deepEqual(await tableNumbers(page, 'files'), { accepted: summary.accepted, rejected: 0, failed: 0, invalid: 0, valid: 0, dropped: 0, duplicate: 0 });
      const shot = join(shotsDir(), 'run-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 20_000, 'a screenshot of the page');
      // TEST_SCREENSHOT=docs/run-page.png keeps it (the README's picture is made so).
      if (process.env.TEST_SCREENSHOT) copyFileSync(shot, join(ROOT, process.env.TEST_SCREENSHOT));
    } finally {
      await close();
    }
  });
});

test('the report command\'s page: the reports\' tables, with the inputs\' coverage and the rows not accepted, equal to its --json', { skip, timeout: 120_000 }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), `${rows(40)}{"externalConversationId":"bad id"}\n`);
  await withServe([], async (server) => {
    await runCli(['submit', '-e', server.url, '--shard', '0/2', '--report', 'a.report.ndjson', 'in.ndjson'], { cwd });
  });
  const result = await runCli(['report', '--json', '--html', 'report.html', '--inputs', 'in.ndjson', 'a.report.ndjson'], { cwd });
  assert.equal(result.code, 1, result.stderr);
  const json = JSON.parse(result.stdout);
  const { page, errors, requests, close } = await openPage(join(cwd, 'report.html'));
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.equal(await page.$eval('#reports [data-field="lines"]', (c) => Number(c.textContent)), json.reports[0].lines);
    const coverage = await tableNumbers(page, 'coverage');
    for (const field of ['rows', 'acceptedOnce', 'missing', 'notAccepted']) assert.equal(coverage[field], json.coverage.inputs[0][field], field);
    // The problem rows grouped by what is wrong (20 rows of the other shard missing are one line, not 20),
    // the counts adding up to the rows listed; then the next step, with the exact command line.
    const groups = await page.$$eval('#problems tbody tr', (trs) => trs.map((tr) => [Number(tr.querySelector('[data-field="count"]').textContent), tr.children[1].textContent]));
    assert.equal(groups.reduce((sum, [count]) => sum + count, 0), json.coverage.problems.length);
    assert.ok(groups.length < json.coverage.problems.length / 5, JSON.stringify(groups));
    assert.deepEqual(groups[0], [json.coverage.missing, 'missing: no report line has it']);
    const next = await page.$eval('[data-section="next-step"]', (section) => section.textContent);
    assert.match(next, /bulk-submit submit --resume --report a\.report\.ndjson in\.ndjson/);
    assert.match(await page.$eval('.verdict', (v) => v.textContent), /^incomplete: \d+ of 41 rows are not accepted exactly once$/);
  } finally {
    await close();
  }
});

test('a short run\'s page labels its time axis with distinct ticks (never "1s 2s 2s 2s")', { skip, timeout: 120_000 }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), rows(25));
  await withServe(['--latency', '100ms'], async (server) => {
    // One row a request, one at a time, 100 ms each: a run of about 2.5 s.
    const run = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--concurrency', '1', '--rate', '0', '--html', 'short.html', 'in.ndjson'], { cwd });
    assert.equal(run.code, 0, run.stderr);
  });
  const { page, errors, close } = await openPage(join(cwd, 'short.html'));
  try {
    await page.waitForFunction(() => window.__charts && Object.keys(window.__charts).length === 4, null, { timeout: 30_000 });
    assert.deepEqual(errors, []);
    const ticks = await page.$$eval('[data-chart]', (els) => els.map((el) => el.getAttribute('data-x-ticks') ?? ''));
    assert.equal(ticks.length, 4);
    for (const labels of ticks) {
      const list = labels.split(' ').filter((l) => l !== '');
      assert.ok(list.length >= 2, `ticks drawn: "${labels}"`);
      assert.equal(new Set(list).size, list.length, `distinct ticks: "${labels}"`);
    }
  } finally {
    await close();
  }
});

test('an aborted run\'s page says what is left and the exact --resume line (secrets out); the next run\'s page keeps it beside, and links to it', { skip, timeout: 180_000 }, async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'in.ndjson'), rows(30_000));
  let answered = 0;
  // The first 300 requests are stored, then the credentials are refused: the run stops (exit 3) part-way.
  const refuseAfter = 300;
  await withScripted((request) => {
    const { eventId } = JSON.parse(request.body);
    return ++answered <= refuseAfter ? { status: 200, body: { result: { eventId, error: '' } } } : { status: 401, body: { error: { code: '401-01', message: 'no' } } };
  }, async (server) => {
    const args = ['submit', '-e', server.url, '--batch-size', '1', '--rate', '0', '-H', 'asapp-api-secret: hunter2', '--report', 'night.report.ndjson', '--html', 'night.html', '--json', 'in.ndjson'];
    const first = await runCli(args, { cwd, timeoutMs: 150_000 });
    assert.equal(first.code, 3, first.stderr);
    const summary = JSON.parse(first.stdout);
    const html = readFileSync(join(cwd, 'night.html'), 'utf8');
    assert.doesNotMatch(html, /hunter2/, 'no secret on the page');
    const { page, errors, close } = await openPage(join(cwd, 'night.html'));
    let command;
    try {
      assert.deepEqual(errors, []);
      const next = await page.$eval('[data-section="next-step"]', (section) => section.textContent);
      assert.match(next, new RegExp(`${summary.rows} rows are in the report`));
      assert.match(next, /the rest of the input was never read: about [\d,]+ rows \(\d+% of [\d,]+ bytes read\)/);
      command = await page.$eval('[data-field="resumeCommand"]', (pre) => pre.textContent);
    } finally {
      await close();
    }
    assert.equal(command, `bulk-submit submit --resume -e ${server.url} --batch-size 1 --rate 0 -H 'asapp-api-secret: ***' --report night.report.ndjson --html night.html --json in.ndjson`);

    // The line the page gives, run as it stands (the secret put back): it goes on from there, and the
    // aborted night's page is kept beside the new one, which links to it.
    answered = -Infinity;
    const words = [...command.replace('asapp-api-secret: ***', 'asapp-api-secret: hunter2').matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
    assert.equal(words.shift(), 'bulk-submit');
    const again = await runCli(words, { cwd, timeoutMs: 150_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).skipped, summary.accepted);
    const kept = readdirSync(cwd).filter((name) => /^night\.\d{8}T\d{6}Z\.html$/.test(name));
    assert.equal(kept.length, 1, readdirSync(cwd).join(' '));
    assert.match(readFileSync(join(cwd, kept[0]), 'utf8'), /What is left, and the next step/, 'the kept page is the aborted night\'s');
    const latest = await openPage(join(cwd, 'night.html'));
    try {
      assert.deepEqual(await latest.page.$$eval('[data-section="earlier"] a', (links) => links.map((a) => a.getAttribute('href'))), kept);
      assert.equal(await latest.page.$('[data-section="next-step"]'), null, 'a finished run has no next step');
    } finally {
      await latest.close();
    }
  });
});
