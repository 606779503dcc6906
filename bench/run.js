#!/usr/bin/env node
// `npm run bench [-- --rows N --single-rows M --big-rows B --reps R --cli DIR]`: what bulk-submit costs
// on this machine, beside the baselines it is held to, all measured in this one run (interleaved, median
// of R): speed (rows/s), CPU seconds (user + sys, every thread) per 100,000 rows, and peak RSS, of whole
// processes under GNU time (bench/cost.js). Prints the table and writes it to the measured checkout's
// BENCHMARKS.md (--cli DIR measures another checkout; --before FILE shows an earlier run's figures beside,
// from the JSON every run leaves in .bench/). Not a test: nothing passes or fails.
// All traffic goes to 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { canMeasure, timed } from './cost.js';
import { CURL, haveCurl, writeCurlConfig } from './curl.js';
import { generate } from './generate.js';
import { profileRun, profileTable } from './profile.js';
import { costTable, targetTable } from './tables.js';
import { measureStartup } from './startup.js';
import { arg, root } from './args.js';

const work = join(root, '.bench');
const N = Number(arg('rows', 200_000));
const SINGLE_N = Number(arg('single-rows', 100_000));
const BIG_N = Number(arg('big-rows', 2_000_000));
const REPS = Number(arg('reps', 3));
const CLI = resolve(arg('cli', root));
const BEFORE = arg('before', undefined);
const BIN = join(CLI, 'bin', 'bulk-submit.js');
const CONCURRENCY = 32;
mkdirSync(work, { recursive: true });

if (!canMeasure()) {
  process.stderr.write('bench: needs GNU time (/usr/bin/time, Debian package "time"): apt-get install time\n');
  process.exit(2);
}

function startEndpoint(latencyMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'endpoint.js'), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
  });
}

async function dataFile(rows) {
  const file = join(work, `rows-${rows}.csv`);
  if (!existsSync(file)) await generate(rows, createWriteStream(file));
  return file;
}

/** One bulk-submit run under GNU time: {rows, wallMs, cpuSeconds, rss}, rows from its --json summary. */
async function cli(args) {
  const result = await timed(process.execPath, [BIN, ...args, '--json', '--quiet', '--force', '--report', join(work, 'report.ndjson')], { cwd: work });
  if (result.code !== 0) throw new Error(`bulk-submit ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return { ...result, rows: JSON.parse(result.stdout.trim().split('\n').pop()).rows };
}

/** A baseline process that prints {"rows"} (or prints nothing: `rows` given). */
async function baseline(command, args, rows) {
  const result = await timed(command, args, { cwd: work });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr.slice(-500)}`);
  return { ...result, rows: rows ?? JSON.parse(result.stdout).rows };
}

const submit = (url, file, extra = []) => ['submit', '--endpoint', url, '--retries', '0', '--rate', '0', ...extra, file];

// Start-up first, while the machine is quiet: whole processes against `node -e 0` (bench/startup.js).
const startup = await measureStartup(7, BIN);
for (const c of startup.cases) process.stderr.write(`start-up ${c.name}: ${Math.round(c.ms)} ms, ${c.ratio.toFixed(2)} × node -e 0\n`);

const file = await dataFile(N);
const singleFile = await dataFile(SINGLE_N);
const endpoint = await startEndpoint(0);
const curlConfig = join(work, `curl-${SINGLE_N}.cfg`);
if (haveCurl()) writeCurlConfig(curlConfig, endpoint.url, SINGLE_N);

const C = {
  parse: 'csv-parse alone',
  validate: 'bulk-submit validate',
  default: 'submit, default mode (batches of 1000, concurrency 8)',
  ceiling: `bare undici loop, ${SINGLE_N.toLocaleString('en-US')} requests, concurrency ${CONCURRENCY}`,
  single: `submit --batch-size 1 --concurrency ${CONCURRENCY}, ${SINGLE_N.toLocaleString('en-US')} rows`,
  curl: `curl --parallel --parallel-max ${CONCURRENCY}, the same ${SINGLE_N.toLocaleString('en-US')} requests`,
};
const cases = [
  { name: C.parse, run: () => baseline(process.execPath, [join(root, 'bench', 'csv-parse-alone.js'), file]) },
  { name: C.validate, run: () => cli(['validate', file]) },
  { name: C.default, run: () => cli(submit(endpoint.url, file)) },
  { name: C.ceiling, run: () => baseline(process.execPath, [join(root, 'bench', 'ceiling.js'), endpoint.url, String(SINGLE_N), String(CONCURRENCY)]) },
  { name: C.single, run: () => cli(submit(endpoint.url, singleFile, ['--batch-size', '1', '--concurrency', String(CONCURRENCY)])) },
  ...(haveCurl() ? [{ name: C.curl, run: () => baseline(CURL, ['-sS', '--parallel', '--parallel-max', String(CONCURRENCY), '--config', curlConfig], SINGLE_N) }] : []),
];
if (!haveCurl()) process.stderr.write(`bench: ${CURL} is not installed (Debian package curl): the curl --parallel row is left out\n`);

const samples = new Map(cases.map((c) => [c.name, []]));
for (let rep = 1; rep <= REPS; rep++) {
  for (const c of cases) {
    const result = await c.run();
    samples.get(c.name).push(result);
    process.stderr.write(`rep ${rep} ${c.name}: ${Math.round((result.rows * 1000) / result.wallMs)} rows/s, ${result.cpuSeconds.toFixed(2)} CPU s, ${Math.round(result.rss / 1e6)} MB\n`);
  }
}
// Peak RSS of the default mode at N and at BIG_N rows (the memory a run needs must not grow with the file).
const big = await dataFile(BIG_N);
const rssN = await cli(submit(endpoint.url, file));
const rssBig = await cli(submit(endpoint.url, big));
const validateBig = await cli(['validate', big]);
// Where each thread's time went (V8's profiler in every thread), one run of each mode.
const THREADS = { main: 'main thread (sends, records)', 'thread 1': 'thread 1 (reads, parses CSV)', 'thread 2': 'thread 2 (maps, validates, serialises, packs)' };
const profiles = [
  ['default mode', profileRun([...submit(endpoint.url, file), '--quiet', '--force', '--report', join(work, 'report.ndjson')], { cwd: work, top: 8, bin: BIN })],
  ['single mode', profileRun([...submit(endpoint.url, singleFile, ['--batch-size', '1', '--concurrency', String(CONCURRENCY)]), '--quiet', '--force', '--report', join(work, 'report.ndjson')], { cwd: work, top: 8, bin: BIN })],
];
endpoint.stop();
// --concurrency auto beside a sweep of fixed ones (bench/adaptive.js), when the CLI measured has it.
const adaptive = spawnSync(process.execPath, [join(root, 'bench', 'adaptive.js'), '--cli', CLI], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const adaptiveText = adaptive.status === 0 ? adaptive.stdout.trim() : '(this build has no --concurrency auto: not measured)';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const measured = Object.fromEntries(
  cases.map((c) => {
    const runs = samples.get(c.name);
    return [c.name, { rows: runs[0].rows, rowsPerSecond: median(runs.map((r) => (r.rows * 1000) / r.wallMs)), cpuPer100k: median(runs.map((r) => (r.cpuSeconds * 100_000) / r.rows)), rss: median(runs.map((r) => r.rss)) }];
  }),
);
const big2 = { rssN: rssN.rss, rssBig: rssBig.rss, cpuPer100kBig: (rssBig.cpuSeconds * 100_000) / rssBig.rows, validateCpuPer100kBig: (validateBig.cpuSeconds * 100_000) / validateBig.rows };
const before = BEFORE ? JSON.parse(readFileSync(BEFORE, 'utf8')) : undefined;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const text = `# Benchmarks

Measured by \`npm run bench\` on ${machine}, ${new Date().toISOString().slice(0, 10)}: generated conversation rows
(${N.toLocaleString('en-US')} for the batch cases, ${SINGLE_N.toLocaleString('en-US')} one row a request, ${BIG_N.toLocaleString('en-US')} for memory), median of ${REPS} interleaved runs of
whole processes under GNU time, against the bench's own endpoint on 127.0.0.1 (on the same two cores).
CPU is user + sys of every thread of the process: on two cores it is the wall.

${costTable(C, measured, before)}

${targetTable(C, measured, big2, startup, BIG_N, N, before)}

Where each thread's time went (V8's CPU profiler in every thread; self time, so the busiest functions,
of a build made with \`BUILD_NO_MINIFY=1\` for their names; busy time is wall time the thread ran,
so on two busy cores it reads higher than its CPU time):

${profiles.flatMap(([mode, threads]) => threads.map((t) => profileTable(`${mode}, ${THREADS[t.thread] ?? t.thread}`, t))).join('\n\n')}

## Adaptive concurrency

${adaptiveText}
`;
process.stdout.write(`\n${text}`);
// What people wrote below the marker (what the figures mean, what was tried) is kept from the file's last version.
const MARKER = '<!-- kept: written by people, not by the bench -->';
const previous = existsSync(join(CLI, 'BENCHMARKS.md')) ? readFileSync(join(CLI, 'BENCHMARKS.md'), 'utf8') : '';
const kept = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : `${MARKER}\n`;
writeFileSync(join(CLI, 'BENCHMARKS.md'), `${text}\n${kept}`);
writeFileSync(join(work, `bench-${Date.now()}.json`), JSON.stringify({ cli: CLI, measured, big: big2, startup }, null, 2));
