#!/usr/bin/env node
// `npm run bench [-- --rows N --reps R]`: measures bulk-submit against its ceilings on this machine and
// writes the table to BENCHMARKS.md. Every figure that matters is a ratio to a baseline measured in the
// same run (interleaved, median of R), so a busy or slow machine cancels out. Not a test: nothing here
// passes or fails; it prints what it measured. All traffic goes to 127.0.0.1.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.js';
import { measureStartup } from './startup.js';
import { threadCpu } from './threads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.bench');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const N = arg('rows', 200_000);
const REPS = arg('reps', 3);
const CONCURRENCY = 16;
const LATENCY_ROWS = arg('latency-rows', 2_000);
mkdirSync(work, { recursive: true });

function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: work, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function startEndpoint(latencyMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'endpoint.js'), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1], pid: child.pid, stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
  });
}

async function dataFile(rows) {
  const file = join(work, `rows-${rows}.csv`);
  if (!existsSync(file)) await generate(rows, createWriteStream(file));
  return file;
}


/** Runs the CLI under bench/measure.js; returns {rows, ms, rss} from its --json summary. */
async function cli(args) {
  const rssFile = join(work, 'rss.txt');
  rmSync(rssFile, { force: true });
  const report = join(work, 'report.ndjson');
  const result = await run([join(root, 'bench', 'measure.js'), ...args, '--json', '--quiet', '--force', '--report', report], {
    env: { BENCH_RSS_FILE: rssFile },
  });
  if (result.code !== 0) throw new Error(`bulk-submit ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop());
  return { rows: summary.rows, ms: summary.elapsedMs, rss: Number(readFileSync(rssFile, 'utf8')) };
}

/** The CLI's submit arguments; `batchSize` undefined runs the default mode (batches of 1000, concurrency 8). */
function submitArgs(url, file, batchSize) {
  const args = ['submit', '--endpoint', url, '--retries', '0', '--rate', '0', file];
  if (batchSize !== undefined) args.push('--batch-size', String(batchSize), '--concurrency', String(CONCURRENCY));
  return args;
}

// Start-up first, on a quiet machine: whole processes against `node -e 0` (bench/startup.js).
const startup = await measureStartup(7);
for (const c of startup.cases) process.stderr.write(`start-up ${c.name}: ${Math.round(c.ms)} ms, ${c.ratio.toFixed(2)} × node -e 0\n`);

const file = await dataFile(N);
const smallFile = await dataFile(LATENCY_ROWS);
const fast = await startEndpoint(0);
const slow = await startEndpoint(50);

const CEILING = 'ceiling: bare undici loop, pre-serialised bodies, concurrency 16';
const PARSE = 'csv-parse alone';
const VALIDATE = 'bulk-submit validate';
const SINGLE = 'submit --batch-size 1 --concurrency 16';
const DEFAULT = 'submit, default mode (batches of 1000, concurrency 8)';
const SLOW_SINGLE = `submit --batch-size 1 --concurrency 16, 50 ms endpoint (${LATENCY_ROWS} rows)`;
const SLOW_DEFAULT = 'submit, default mode, 50 ms endpoint';
const cases = [
  { name: CEILING, run: async () => JSON.parse((await run([join(root, 'bench', 'ceiling.js'), fast.url, String(N), String(CONCURRENCY)])).stdout) },
  { name: PARSE, run: async () => JSON.parse((await run([join(root, 'bench', 'csv-parse-alone.js'), file])).stdout) },
  { name: VALIDATE, run: () => cli(['validate', file]) },
  { name: SINGLE, run: () => cli(submitArgs(fast.url, file, 1)) },
  { name: DEFAULT, run: () => cli(submitArgs(fast.url, file)) },
  { name: SLOW_SINGLE, run: () => cli(submitArgs(slow.url, smallFile, 1)) },
  { name: SLOW_DEFAULT, run: () => cli(submitArgs(slow.url, file)) },
];

const samples = new Map(cases.map((c) => [c.name, []]));
for (let rep = 1; rep <= REPS; rep++) {
  for (const c of cases) {
    const result = await c.run();
    samples.get(c.name).push(result);
    process.stderr.write(`rep ${rep} ${c.name}: ${Math.round((result.rows * 1000) / result.ms)} rows/s${result.rss ? `, ${Math.round(result.rss / 1e6)} MB` : ''}\n`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (name) => median(samples.get(name).map((r) => (r.rows * 1000) / r.ms));
const rss = (name) => median(samples.get(name).map((r) => r.rss ?? 0));

// Peak RSS of the default mode at N and 10×N rows: memory must not grow with the file.
const big = await dataFile(N * 10);
const rssN = await cli(submitArgs(fast.url, file));
const rss10N = await cli(submitArgs(fast.url, big));
// Where the CPU went, by thread, in validate and the default mode (and the endpoint's, beside it).
const cpu = {
  validate: await threadCpu([join(root, 'bin', 'bulk-submit.js'), 'validate', file, '--quiet', '--force', '--report', join(work, 'report.ndjson')], work),
  default: await threadCpu([join(root, 'bin', 'bulk-submit.js'), ...submitArgs(fast.url, file), '--quiet', '--force', '--report', join(work, 'report.ndjson')], work, fast.pid),
};
fast.stop();
slow.stop();

const ratio = (a, b) => rate(a) / rate(b);
const rssRatio = rss10N.rss / rssN.rss;
const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
const ceiling = rate(CEILING);
const lines = [
  '| case | rows/s | × ceiling | peak RSS |',
  '|---|---:|---:|---:|',
  ...cases.map((c) => `| ${c.name} | ${Math.round(rate(c.name)).toLocaleString('en-US')} | ${(rate(c.name) / ceiling).toFixed(2)} | ${rss(c.name) ? mb(rss(c.name)) : ''} |`),
];
const met = (ok) => (ok ? 'met' : '**missed**');
const targets = [
  '| target | before (d2fc431, 2026-11-25) | now | |',
  '|---|---:|---:|---|',
  `| default mode / validate ≥ 0.85 | 0.54 (batches of 1000, concurrency 16) | **${ratio(DEFAULT, VALIDATE).toFixed(2)}** | ${met(ratio(DEFAULT, VALIDATE) >= 0.85)} |`,
  `| default mode peak RSS at ${(10 * N).toLocaleString('en-US')} rows ≤ 100 MB | 381 MB | **${mb(rss10N.rss)}** | ${met(rss10N.rss <= 100e6)} |`,
  `| … and ≤ 1.1 × its peak at ${N.toLocaleString('en-US')} rows | 1.14 (333 MB) | **${rssRatio.toFixed(2)}** (${mb(rssN.rss)}) | ${met(rssRatio <= 1.1)} |`,
  `| validate / csv-parse alone ≥ 0.9 | 0.82 | **${ratio(VALIDATE, PARSE).toFixed(2)}** | ${met(ratio(VALIDATE, PARSE) >= 0.9)} |`,
  `| --batch-size 1 / ceiling ≥ 0.6 | 0.49 | **${ratio(SINGLE, CEILING).toFixed(2)}** | ${met(ratio(SINGLE, CEILING) >= 0.6)} |`,
  `| default mode / --batch-size 1, 50 ms endpoint ≥ 50 | 159.55 | **${ratio(SLOW_DEFAULT, SLOW_SINGLE).toFixed(2)}** | ${met(ratio(SLOW_DEFAULT, SLOW_SINGLE) >= 50)} |`,
];
const threadLine = (label, measured) => {
  if (!measured) return `| ${label} | (not Linux: not measured) | | | |`;
  const [first, second] = measured.threads.filter((t) => t.tid !== measured.threads.find((x) => x.seconds === measured.main)?.tid);
  const others = measured.threads.reduce((sum, t) => sum + t.seconds, 0) - measured.main - (first?.seconds ?? 0) - (second?.seconds ?? 0);
  return `| ${label} | ${measured.main.toFixed(2)} | ${(first?.seconds ?? 0).toFixed(2)} + ${(second?.seconds ?? 0).toFixed(2)} | ${others.toFixed(2)} | ${measured.endpointSeconds === undefined ? '' : measured.endpointSeconds.toFixed(2)} |`;
};
const cpuLines = [
  '| run | main thread | the two preparing threads | other threads (GC, libuv) | endpoint process |',
  '|---|---:|---:|---:|---:|',
  threadLine('validate', cpu.validate),
  threadLine('default mode', cpu.default),
];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const startupLines = [
  '| command | wall (median) | × `node -e 0` | target |',
  '|---|---:|---:|---:|',
  `| \`node -e 0\` | ${Math.round(startup.baselineMs)} ms | 1.00 | |`,
  ...startup.cases.map((c) => `| ${c.name} | ${Math.round(c.ms)} ms | **${c.ratio.toFixed(2)}** | ≤ ${c.target} |`),
];
const text = `# Benchmarks

Measured by \`npm run bench\` (${N.toLocaleString('en-US')} generated conversation rows, concurrency ${CONCURRENCY}, median of ${REPS} interleaved runs) on ${machine}, ${new Date().toISOString().slice(0, 10)}.
Rows/s of bulk-submit come from its own summary (start-up excluded, like the ceiling loop's).

${lines.join('\n')}

Start-up (bench/startup.js): whole processes timed from spawn to exit, each right after a bare \`node -e 0\`, median of the
7 pairwise ratios; the bundled 30-row sample, submit against \`bulk-submit serve\`.

${startupLines.join('\n')}

Targets (ratios within this one run; \`before\` is the last table before the sealed preparing stage, same machine):

${targets.join('\n')}

Where the two cores went (CPU seconds by thread over one run of each, from /proc; the endpoint is the
bench's own, on the same machine):

${cpuLines.join('\n')}
`;
process.stdout.write(`\n${text}`);
writeFileSync(join(root, 'BENCHMARKS.md'), text);
