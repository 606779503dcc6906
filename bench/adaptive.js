#!/usr/bin/env node
// `node bench/adaptive.js [--only NAME] [--scale X]`: --concurrency auto against endpoints of four shapes,
// each beside a sweep of fixed concurrencies: rows/s, p99 latency, and where the limit ended.
//   capacity  `bulk-submit serve --latency 10ms --capacity 8` (a knee at 8: past it, requests wait their turn)
//   knee      a sharp knee: each request past 8 in flight adds 60 % of the base latency to every request
//   shed      150 ms a request, 3 % answered 503 at once (bench/endpoints.js)
//   drift     latency drifting from 20 ms to 80 ms and back every 4 s, whatever the load (bench/endpoints.js)
// The target: auto at 0.85 × the best fixed concurrency's rows/s or better, its p99 no worse than that
// one's. Prints markdown tables (for BENCHMARKS.md). All traffic goes to 127.0.0.1.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate.js';
import { arg, root } from './args.js';

const bin = join(arg('cli', root), 'bin', 'bulk-submit.js');
const work = join(root, '.bench');
const only = arg('only', undefined);
const scale = Number(arg('scale', 1));

const SCENARIOS = [
  { name: 'capacity', start: [bin, 'serve', '--port', '0', '--latency', '10ms', '--capacity', '8'], rows: 10_000, batch: 1, fixed: ['4', '8', '12', '16', '32', '64'], what: '`serve --latency 10ms --capacity 8`, one row a request' },
  { name: 'knee', start: [join(root, 'bench', 'endpoints.js'), 'knee'], rows: 10_000, batch: 1, fixed: ['4', '8', '12', '16'], what: 'a sharp knee (each request past 8 in flight adds 60 % of the 10 ms base latency), one row a request' },
  { name: 'shed', start: [join(root, 'bench', 'endpoints.js'), 'shed'], rows: 100_000, batch: 200, fixed: ['4', '8', '16', '32', '64'], what: '150 ms a request, 3 % shed with an instant 503, batches of 200' },
  { name: 'drift', start: [join(root, 'bench', 'endpoints.js'), 'drift', '4'], rows: 100_000, batch: 50, fixed: ['4', '8', '16', '32', '64'], what: 'latency drifting 20 → 80 → 20 ms every 4 s whatever the load (from the start of each run), batches of 50' },
];

function startEndpoint(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
  });
}

function submit(url, file, batch, concurrency) {
  return new Promise((resolve, reject) => {
    const args = [bin, 'submit', '-e', url, '--batch-size', String(batch), '--rate', '0', '--retries', '20', '--concurrency', concurrency, '--json', '--quiet', '--force', '--report', join(work, 'adaptive.report.ndjson'), file];
    const child = spawn(process.execPath, args, { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`submit --concurrency ${concurrency} exited ${code}`))));
  });
}

mkdirSync(work, { recursive: true });
const out = [];
for (const scenario of SCENARIOS.filter((s) => only === undefined || s.name === only)) {
  const rows = Math.round(scenario.rows * scale);
  const file = join(work, `rows-${rows}.csv`);
  if (!existsSync(file)) await generate(rows, createWriteStream(file));
  const endpoint = await startEndpoint(scenario.start);
  const results = [];
  try {
    for (const concurrency of [...scenario.fixed, 'auto']) {
      const summary = await submit(endpoint.url, file, scenario.batch, concurrency);
      results.push({ concurrency, rowsPerSecond: summary.rowsPerSecond, p99: summary.latency?.p99, final: summary.concurrency?.final });
      process.stderr.write(`${scenario.name} --concurrency ${concurrency}: ${summary.rowsPerSecond} rows/s, p99 ${summary.latency?.p99} ms${concurrency === 'auto' ? `, limit ${summary.concurrency?.final} at the end` : ''}\n`);
    }
  } finally {
    endpoint.stop();
  }
  const fixed = results.filter((r) => r.concurrency !== 'auto');
  const best = fixed.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const auto = results.find((r) => r.concurrency === 'auto');
  const ratio = auto.rowsPerSecond / best.rowsPerSecond;
  out.push(
    `**${scenario.name}**: ${scenario.what}, ${rows.toLocaleString('en-US')} rows, \`--rate 0\`:`,
    '',
    '| --concurrency | rows/s | p99 latency | limit at the end |',
    '|---|---:|---:|---:|',
    ...results.map((r) => `| ${r.concurrency === 'auto' ? '**auto** (up to 64)' : r.concurrency} | ${r.rowsPerSecond.toLocaleString('en-US')} | ${r.p99} ms | ${r.final ?? ''} |`),
    '',
    `auto: **${ratio.toFixed(2)} ×** the best fixed concurrency's rows/s (${best.concurrency}: p99 ${best.p99} ms; auto's ${auto.p99} ms) — ${ratio >= 0.85 && auto.p99 <= best.p99 ? 'met' : '**missed**'}.`,
    '',
  );
}
process.stdout.write(`${out.join('\n')}\n`);
