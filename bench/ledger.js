#!/usr/bin/env node
// `node bench/ledger.js [--ids N] [--rows R] [--pairs K] [--no-half] [--cli DIR]`: what --ledger costs a
// run (issue 28). The target: the default mode with a ledger of 2,000,000 ids stays within 1.3 × the
// rows/s without one.
//   - builds a ledger of N ids (default 2,000,000: random `bs-<40 hex>` ids over 60 UTC days, inserted in
//     random order, as runs would have left them) once, in .bench/, with better-sqlite3 directly, after
//     Ledger.open() has given the file its schema; later runs reuse it;
//   - generates R rows (default 200,000, bench/generate.js: every row distinct), none of them in it;
//   - runs K interleaved pairs (default 3) of whole processes under GNU time (bench/cost.js), each against
//     a fresh `bulk-submit serve` on 127.0.0.1 (it keeps the ids it stored, for 409s): (a) `submit` in the
//     default mode (batches of 1000, concurrency 8) without --ledger, (b) the same with --ledger on a fresh
//     copy of the N-id ledger (so what a run records never grows the next run's ledger), and, unless
//     --no-half, (c) with --ledger on a copy that also holds every other row's eventId (half the rows
//     skipped: what skipping costs);
//   - times Ledger#acceptedDays for batches of 1000 ids against the N ids, in this process (median).
// Prints rows/s, CPU s (user + sys, every thread) per 100,000 rows and peak RSS of each case (median over
// the pairs), the ratios of each pair (median) and the ledger's size, as markdown for BENCHMARKS.md.
// All traffic goes to 127.0.0.1. --cli DIR measures another build (its bin/ and dist/).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { canMeasure, timed } from './cost.js';
import { generate } from './generate.js';
import { threadCpu } from './threads.js';
import { arg, root } from './args.js';

const IDS = Number(arg('ids', 2_000_000));
const ROWS = Number(arg('rows', 200_000));
const PAIRS = Number(arg('pairs', 3));
const HALF = !process.argv.includes('--no-half');
const CLI = resolve(arg('cli', root));
const BIN = join(CLI, 'bin', 'bulk-submit.js');
const work = join(root, '.bench', 'ledger');
mkdirSync(work, { recursive: true });

if (!canMeasure()) {
  process.stderr.write('bench: needs GNU time (/usr/bin/time, Debian package "time"): apt-get install time\n');
  process.exit(2);
}
const ledgerModule = join(CLI, 'dist', 'ledger', 'index.js');
if (!existsSync(ledgerModule)) {
  process.stderr.write(`bench: ${ledgerModule} is missing: build first (npm run build), or this build has no ledger\n`);
  process.exit(2);
}
const { Ledger, SCHEMA_VERSION } = await import(pathToFileURL(ledgerModule).href);

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const DAYS = Array.from({ length: 60 }, (_, daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10));
const day = (daysAgo) => DAYS[daysAgo];
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const int = (n) => Math.round(n).toLocaleString('en-US');

/** Removes a ledger copy and what SQLite keeps beside it. */
function removeDb(file) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Inserts `count` ids from `next()` into the ledger `file` through Ledger#recordAccepted, 100,000 a transaction, merged as a run would, then checkpoints it. */
async function fill(file, count, next) {
  const ledger = await Ledger.open(file);
  for (let done = 0; done < count; done += 100_000) {
    ledger.recordAccepted(Array.from({ length: Math.min(100_000, count - done) }, (_, i) => next(done + i)));
  }
  ledger.merge?.(); // 0.4.2 on (a build before has no journal)
  ledger.close();
  const db = new Database(file, { timeout: 10_000 });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The N-id ledger, built once (Ledger.open writes the schema, as a run would) and kept in .bench/ledger/. */
async function baseLedger() {
  const file = join(work, `ledger-v${SCHEMA_VERSION}-${IDS}.db`);
  if (existsSync(file)) {
    const db = new Database(file, { readonly: true });
    const held = db.prepare('SELECT count(*) FROM accepted').pluck().get();
    db.close();
    if (held >= IDS) return { file, buildMs: undefined };
    removeDb(file);
  }
  const started = performance.now();
  const building = `${file}.building`;
  removeDb(building);
  (await Ledger.open(building)).close();
  let hex = '';
  let at = 0;
  await fill(building, IDS, (i) => {
    if (at === hex.length) {
      hex = randomBytes(20 * 10_000).toString('hex');
      at = 0;
    }
    const id = `bs-${hex.slice(at, at + 40)}`;
    at += 40;
    return { eventId: id, day: day(i % 60), source: `night-${Math.floor(i / 250_000)}.csv:${(i % 250_000) + 1}` };
  });
  copyFileSync(building, file);
  removeDb(building);
  return { file, buildMs: performance.now() - started };
}

/** A fresh `bulk-submit serve` on 127.0.0.1, any free port: {url, stop()}; stop() resolves once it has exited. */
function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((done) => child.once('exit', done));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = `${stderr}${d}`.slice(-2000))); // its closing line; shown only if it fails
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (!match) return;
      const stop = () => {
        child.kill('SIGTERM');
        return exited;
      };
      resolve({ url: match[1], pid: child.pid, stop });
    });
    child.on('error', reject);
    child.once('exit', (code) => reject(new Error(`bulk-submit serve exited ${code} before listening: ${stderr}`)));
  });
}

/** One default-mode submit of `file` under GNU time (with --ledger `ledger` when given), against a fresh serve. */
async function submit(file, ledger) {
  const serve = await startServe();
  try {
    const report = join(work, 'report.ndjson');
    const args = [BIN, 'submit', '--endpoint', serve.url, '--retries', '0', '--rate', '0', ...(ledger ? ['--ledger', ledger] : []), '--json', '--quiet', '--force', '--report', report, file];
    const result = await timed(process.execPath, args, { cwd: work });
    const summary = result.stdout.trim() ? JSON.parse(result.stdout.trim().split('\n').pop()) : undefined;
    if (result.code !== 0 || !summary) throw new Error(`bulk-submit submit${ledger ? ' --ledger' : ''} exited ${result.code}: ${result.stderr.slice(-800)}`);
    return { ...result, summary, report };
  } finally {
    await serve.stop();
  }
}

/**
 * One more run of `file` (with --ledger `ledger` when given), its threads' CPU seconds sampled from /proc
 * (bench/threads.js): the main thread (sends, records accepted ids), the parsing one and the mapping one
 * (which makes the look-ups), and the endpoint's. The process's first thread is the main one; the two
 * preparing threads are its busiest others, the parsing one started first. Undefined without /proc.
 */
async function threadRun(file, ledger) {
  const serve = await startServe();
  try {
    const args = [BIN, 'submit', '--endpoint', serve.url, '--retries', '0', '--rate', '0', ...(ledger ? ['--ledger', ledger] : []), '--quiet', '--force', '--report', join(work, 'report.ndjson'), file];
    const started = performance.now();
    const r = await threadCpu(args, work, serve.pid);
    if (!r) return undefined;
    const wallMs = performance.now() - started;
    const [main, ...others] = [...r.threads].sort((a, b) => a.tid - b.tid);
    const [parse, map] = [...others].sort((a, b) => b.seconds - a.seconds).slice(0, 2).sort((a, b) => a.tid - b.tid);
    const total = r.threads.reduce((sum, t) => sum + t.seconds, 0);
    return { wallMs, main: main.seconds, parse: parse?.seconds ?? 0, map: map?.seconds ?? 0, rest: total - main.seconds - (parse?.seconds ?? 0) - (map?.seconds ?? 0), endpoint: r.endpointSeconds };
  } finally {
    await serve.stop();
  }
}

/** A fresh copy of `from` for one run. */
function copyOf(from, name) {
  const to = join(work, name);
  removeDb(to);
  copyFileSync(from, to);
  return to;
}

/** Ledger#acceptedDays on batches of 1000 ids (median ms), none held and all held, interleaved. */
function timeLookUps(ledger, file, batches = 200) {
  const db = new Database(file, { readonly: true });
  const ids = db.prepare('SELECT max(seq) FROM sent').pluck().get();
  const nth = db.prepare('SELECT event_id FROM sent WHERE seq = ?').pluck();
  const fresh = () => Array.from({ length: 1000 }, () => `bs-${randomBytes(20).toString('hex')}`);
  const held = () => Array.from({ length: 1000 }, () => nth.get(1 + Math.floor(Math.random() * ids)));
  const ms = { none: [], all: [] };
  for (let i = 0; i < batches + 20; i++) {
    for (const [kind, ids] of [['none', fresh()], ['all', held()]]) {
      const started = performance.now();
      const found = ledger.acceptedDays(ids).size;
      const took = performance.now() - started;
      if (kind === 'none' ? found !== 0 : found !== new Set(ids).size) throw new Error(`acceptedDays found ${found} of 1000 ${kind === 'none' ? 'fresh' : 'held'} ids`);
      if (i >= 20) ms[kind].push(took); // the first 20 warm the statement and the page cache
    }
  }
  db.close();
  return { none: median(ms.none), all: median(ms.all) };
}

// The ledger, the rows, and a warm-up run (the page cache, the first serve) whose report gives the rows' eventIds.
const base = await baseLedger();
const baseBytes = statSync(base.file).size;
log(`ledger of ${int(IDS)} ids: ${base.file}, ${mib(baseBytes)}${base.buildMs === undefined ? ' (kept from an earlier run)' : `, built in ${(base.buildMs / 1000).toFixed(1)} s`}`);
const input = join(root, '.bench', `rows-${ROWS}.csv`);
if (!existsSync(input)) await generate(ROWS, createWriteStream(input));
const warm = await submit(input, copyOf(base.file, 'run.db'));
if (warm.summary.skippedByLedger !== 0 || warm.summary.accepted !== ROWS) throw new Error(`the rows are not all new to the ledger: ${JSON.stringify(warm.summary)}`);
log(`warm-up with --ledger: ${int(ROWS / (warm.wallMs / 1000))} rows/s, exit ${warm.code}`);

let half;
if (HALF) {
  // Every other row's eventId, as an earlier run would have recorded it: each chunk of the run skips half its rows.
  const ids = readFileSync(warm.report, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((r) => r.status === 'accepted' && r.row % 2 === 0).map((r) => r.eventId);
  half = { file: join(work, `ledger-v${SCHEMA_VERSION}-${IDS}-half-${ROWS}.db`), ids: ids.length };
  removeDb(half.file);
  copyFileSync(base.file, half.file);
  await fill(half.file, ids.length, (i) => ({ eventId: ids[i], day: day(1), source: `earlier.csv:${2 * i + 2}` }));
}

const CASES = [
  { key: 'none', name: 'submit, default mode, no --ledger', ledger: () => undefined },
  { key: 'ledger', name: `… --ledger, ${int(IDS)} ids, no row held`, ledger: () => copyOf(base.file, 'run.db') },
  ...(half ? [{ key: 'half', name: `… --ledger, ${int(IDS + half.ids)} ids, every other row held (skipped)`, ledger: () => copyOf(half.file, 'run.db') }] : []),
];
const samples = Object.fromEntries(CASES.map((c) => [c.key, []]));
for (let pair = 0; pair < PAIRS; pair++) {
  // The order turns each pair, so a drift of the machine's speed does not always fall on the same case.
  const order = CASES.map((_, i) => CASES[(i + pair) % CASES.length]);
  for (const c of order) {
    const r = await submit(input, c.ledger());
    const s = r.summary;
    const expected = c.key === 'half' ? { accepted: ROWS - half.ids, skipped: half.ids } : { accepted: ROWS, skipped: 0 };
    if (s.accepted !== expected.accepted || (s.skippedByLedger ?? 0) !== expected.skipped || s.exitCode !== 0) {
      throw new Error(`${c.name}: accepted ${s.accepted}, skipped by the ledger ${s.skippedByLedger}, exit ${s.exitCode}; expected ${JSON.stringify(expected)}`);
    }
    const sample = { rowsPerSecond: (ROWS * 1000) / r.wallMs, ownRowsPerSecond: s.rowsPerSecond, cpuPer100k: (r.cpuSeconds * 100_000) / ROWS, rss: r.rss, wallMs: r.wallMs, exit: r.code };
    samples[c.key].push(sample);
    log(`pair ${pair + 1} ${c.name}: ${int(sample.rowsPerSecond)} rows/s (its own clock ${int(s.rowsPerSecond)}), ${sample.cpuPer100k.toFixed(2)} CPU s per 100,000 rows, ${mib(r.rss)}, exit ${r.code}`);
  }
}
// Where the CPU went: one run without the ledger and one with it, threads apart.
const threads = [];
for (const c of CASES.filter((k) => k.key !== 'half')) {
  const t = await threadRun(input, c.ledger());
  if (!t) break;
  threads.push({ name: c.name, ...t });
  log(`threads, ${c.name}: ${(t.wallMs / 1000).toFixed(1)} s; CPU s main ${t.main}, parse ${t.parse}, map ${t.map}, others ${t.rest.toFixed(2)}; endpoint ${t.endpoint}`);
}
removeDb(join(work, 'run.db'));

const reader = await Ledger.open(base.file, { readonly: true });
const lookUps = timeLookUps(reader, base.file);
reader.close();
log(`acceptedDays, 1000 ids: ${lookUps.none.toFixed(2)} ms none held, ${lookUps.all.toFixed(2)} ms all held`);

const m = Object.fromEntries(
  CASES.map((c) => {
    const runs = samples[c.key];
    return [c.key, { rowsPerSecond: median(runs.map((r) => r.rowsPerSecond)), ownRowsPerSecond: median(runs.map((r) => r.ownRowsPerSecond)), cpuPer100k: median(runs.map((r) => r.cpuPer100k)), rss: median(runs.map((r) => r.rss)) }];
  }),
);
/** The median over the pairs of a case's figure divided by the no-ledger run's of the same pair. */
const pairRatio = (key, figure) => median(samples[key].map((r, i) => figure(r) / figure(samples.none[i])));
const slowdown = median(samples.ledger.map((r, i) => samples.none[i].rowsPerSecond / r.rowsPerSecond));
const x = (n) => `${n.toFixed(2)} ×`;

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const lines = [
  `Measured by \`node bench/ledger.js\` on ${machine}, ${new Date().toISOString().slice(0, 10)}: ${int(ROWS)} generated conversation rows,`,
  `median of ${PAIRS} interleaved runs of whole processes under GNU time, each against a fresh \`bulk-submit serve\` on 127.0.0.1.`,
  '',
  '| case | rows/s | rows/s, the run\'s own clock | CPU s per 100,000 rows | peak RSS |',
  '|---|---:|---:|---:|---:|',
  ...CASES.map((c) => `| ${c.name} | ${int(m[c.key].rowsPerSecond)} | ${int(m[c.key].ownRowsPerSecond)} | ${m[c.key].cpuPer100k.toFixed(2)} | ${mib(m[c.key].rss)} |`),
  '',
  '| ratio to the same pair\'s run without --ledger (median of the pairs) | rows/s | CPU s | peak RSS |',
  '|---|---:|---:|---:|',
  ...CASES.filter((c) => c.key !== 'none').map((c) => `| ${c.name} | ${x(pairRatio(c.key, (r) => r.rowsPerSecond))} | ${x(pairRatio(c.key, (r) => r.cpuPer100k))} | ${x(pairRatio(c.key, (r) => r.rss))} |`),
  ...(threads.length === 0
    ? []
    : [
        '',
        `CPU s by thread, one more run of each (${int(ROWS)} rows; /proc/<pid>/task/*/stat, bench/threads.js):`,
        '',
        '| case | wall s | main thread (sends, records accepted ids) | thread 1 (reads, parses) | thread 2 (maps, validates, looks up, packs) | other threads | endpoint (serve) |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...threads.map((t) => `| ${t.name} | ${(t.wallMs / 1000).toFixed(1)} | ${t.main.toFixed(2)} | ${t.parse.toFixed(2)} | ${t.map.toFixed(2)} | ${t.rest.toFixed(2)} | ${t.endpoint?.toFixed(2) ?? '–'} |`),
      ]),
  '',
  `Target: rows/s without a ledger ÷ rows/s with ${int(IDS)} ids ≤ 1.3 ×: **${x(slowdown)}** — ${slowdown <= 1.3 ? 'met' : '**missed**'}.`,
  '',
  `The ledger at ${int(IDS)} ids: ${mib(baseBytes)} (${(baseBytes / IDS).toFixed(0)} bytes an id).`,
  `\`Ledger#acceptedDays\` on 1000 ids against it, warm page cache, median of 200: ${lookUps.none.toFixed(2)} ms when none is held, ${lookUps.all.toFixed(2)} ms when all are.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(join(work, `ledger-bench-${Date.now()}.json`), JSON.stringify({ cli: CLI, ids: IDS, rows: ROWS, pairs: PAIRS, baseBytes, buildMs: base.buildMs, lookUps, samples, threads, medians: m, slowdown }, null, 2));
