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

const help = (await run([join(root, 'bin', 'bulk-submit.js'), 'submit', '--help'])).stdout;
const supports = (flag) => help.includes(flag);

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

function submitArgs(url, file, batchSize) {
  const args = ['submit', '--endpoint', url, '--concurrency', String(CONCURRENCY), '--retries', '0', file];
  if (supports('--rate')) args.push('--rate', '0');
  if (supports('--batch-size')) args.push('--batch-size', String(batchSize));
  return args;
}

// Start-up first, on a quiet machine: whole processes against `node -e 0` (bench/startup.js).
const startup = await measureStartup(7);
for (const c of startup.cases) process.stderr.write(`start-up ${c.name}: ${Math.round(c.ms)} ms, ${c.ratio.toFixed(2)} × node -e 0\n`);

const file = await dataFile(N);
const smallFile = await dataFile(LATENCY_ROWS);
const fast = await startEndpoint(0);
const slow = await startEndpoint(50);

const cases = [
  { name: 'ceiling: bare undici loop, pre-serialised bodies', run: async () => JSON.parse((await run([join(root, 'bench', 'ceiling.js'), fast.url, String(N), String(CONCURRENCY)])).stdout) },
  { name: 'csv-parse alone', run: async () => JSON.parse((await run([join(root, 'bench', 'csv-parse-alone.js'), file])).stdout) },
  { name: 'bulk-submit validate', run: () => cli(['validate', file]) },
  { name: 'submit --batch-size 1', run: () => cli(submitArgs(fast.url, file, 1)) },
  ...(supports('--batch-size') ? [{ name: 'submit --batch-size 1000', run: () => cli(submitArgs(fast.url, file, 1000)) }] : []),
  { name: `submit --batch-size 1, 50 ms endpoint (${LATENCY_ROWS} rows)`, run: () => cli(submitArgs(slow.url, smallFile, 1)) },
  ...(supports('--batch-size') ? [{ name: 'submit --batch-size 1000, 50 ms endpoint', run: () => cli(submitArgs(slow.url, file, 1000)) }] : []),
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

// Peak RSS at N and 10×N: memory must not grow with the file.
const big = await dataFile(N * 10);
const memoryMode = supports('--batch-size') ? 1000 : 1;
const rssN = await cli(submitArgs(fast.url, file, memoryMode));
const rss10N = await cli(submitArgs(fast.url, big, memoryMode));
fast.stop();
slow.stop();

const ceiling = rate(cases[0].name);
const lines = [
  '| case | rows/s | × ceiling | peak RSS |',
  '|---|---:|---:|---:|',
  ...cases.map((c) => `| ${c.name} | ${Math.round(rate(c.name)).toLocaleString('en-US')} | ${(rate(c.name) / ceiling).toFixed(2)} | ${rss(c.name) ? `${Math.round(rss(c.name) / 1e6)} MB` : ''} |`),
];
const ratio = (a, b) => (rate(a) / rate(b)).toFixed(2);
const targets = [
  `- single mode / ceiling at concurrency ${CONCURRENCY}: **${ratio('submit --batch-size 1', cases[0].name)}** (target ≥ 0.85)`,
  `- validate / csv-parse alone: **${ratio('bulk-submit validate', 'csv-parse alone')}** (target ≥ 0.6), validate **${Math.round(rate('bulk-submit validate')).toLocaleString('en-US')} rows/s** (target ≥ 100,000)`,
  ...(supports('--batch-size')
    ? [
        `- batch mode / validate: **${ratio('submit --batch-size 1000', 'bulk-submit validate')}** (target ≥ 0.7)`,
        `- batch / single against a 50 ms endpoint: **${ratio('submit --batch-size 1000, 50 ms endpoint', `submit --batch-size 1, 50 ms endpoint (${LATENCY_ROWS} rows)`)}** (target ≥ 50)`,
      ]
    : ['- batch mode: not measured (this build has no --batch-size)']),
  `- peak RSS of submit (batch size ${memoryMode}): ${Math.round(rssN.rss / 1e6)} MB at ${N.toLocaleString('en-US')} rows, ${Math.round(rss10N.rss / 1e6)} MB at ${(10 * N).toLocaleString('en-US')} rows: ratio **${(rss10N.rss / rssN.rss).toFixed(2)}** (target ≤ 1.2, and < 150 MB)`,
];
const startupLines = [
  '| command | wall (median) | × `node -e 0` | target |',
  '|---|---:|---:|---:|',
  `| \`node -e 0\` | ${Math.round(startup.baselineMs)} ms | 1.00 | |`,
  ...startup.cases.map((c) => `| ${c.name} | ${Math.round(c.ms)} ms | **${c.ratio.toFixed(2)}** | ≤ ${c.target} |`),
];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const text = `# Benchmarks

Measured by \`npm run bench\` (${N.toLocaleString('en-US')} generated conversation rows, concurrency ${CONCURRENCY}, median of ${REPS} interleaved runs) on ${machine}, ${new Date().toISOString().slice(0, 10)}.
Rows/s of bulk-submit come from its own summary (start-up excluded, like the ceiling loop's).

${lines.join('\n')}

Start-up (bench/startup.js): whole processes timed from spawn to exit, each right after a bare \`node -e 0\`, median of the
7 pairwise ratios; the bundled 30-row sample, submit against \`bulk-submit serve\`.

${startupLines.join('\n')}

Targets (ratios within this one run):

${targets.join('\n')}
`;
process.stdout.write(`\n${text}`);
writeFileSync(join(root, 'BENCHMARKS.md'), text);
