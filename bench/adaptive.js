#!/usr/bin/env node
// `node bench/adaptive.js [--rows N]`: --concurrency auto against an endpoint whose latency grows with
// load past its knee (`bulk-submit serve --latency 10ms --capacity 8`: 8 requests at once, the rest wait),
// beside a sweep of fixed concurrencies: rows/s, p99 latency and where the limit settled. Prints a
// markdown table (for BENCHMARKS.md). All traffic goes to 127.0.0.1.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliAt = process.argv.indexOf('--cli');
const bin = join(cliAt === -1 ? root : process.argv[cliAt + 1], 'bin', 'bulk-submit.js');
const work = join(root, '.bench');
const at = process.argv.indexOf('--rows');
const ROWS = at === -1 ? 2000 : Number(process.argv[at + 1]);
const KNEE = 8;
const LATENCY = '10ms';

function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--latency', LATENCY, '--capacity', String(KNEE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
  });
}

function submit(url, file, concurrency) {
  return new Promise((resolve, reject) => {
    const args = [bin, 'submit', '-e', url, '--batch-size', '1', '--rate', '0', '--retries', '0', '--concurrency', concurrency, '--json', '--quiet', '--force', '--report', join(work, 'adaptive.report.ndjson'), file];
    const child = spawn(process.execPath, args, { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`submit --concurrency ${concurrency} exited ${code}`))));
  });
}

mkdirSync(work, { recursive: true });
const file = join(work, `rows-${ROWS}.csv`);
if (!existsSync(file)) await generate(ROWS, createWriteStream(file));
const serve = await startServe();
const results = [];
try {
  for (const concurrency of ['1', '2', '4', '8', '12', '16', '32', '64', 'auto']) {
    const summary = await submit(serve.url, file, concurrency);
    results.push({ concurrency, rowsPerSecond: summary.rowsPerSecond, p99: summary.latency?.p99, final: summary.concurrency?.final });
    process.stderr.write(`--concurrency ${concurrency}: ${summary.rowsPerSecond} rows/s, p99 ${summary.latency?.p99} ms${concurrency === 'auto' ? `, limit ${summary.concurrency?.final} at the end` : ''}\n`);
  }
} finally {
  serve.stop();
}
const fixed = results.filter((r) => r.concurrency !== 'auto');
const best = fixed.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
const auto = results.find((r) => r.concurrency === 'auto');
const lines = [
  `Against \`bulk-submit serve --latency ${LATENCY} --capacity ${KNEE}\` (the knee at ${KNEE} requests in flight; past it requests queue), ${ROWS.toLocaleString('en-US')} rows one a request, \`--rate 0\`:`,
  '',
  '| --concurrency | rows/s | p99 latency | limit at the end |',
  '|---|---:|---:|---:|',
  ...results.map((r) => `| ${r.concurrency === 'auto' ? '**auto** (up to 64)' : r.concurrency} | ${r.rowsPerSecond.toLocaleString('en-US')} | ${r.p99} ms | ${r.final ?? ''} |`),
  '',
  `auto: ${(auto.rowsPerSecond / best.rowsPerSecond).toFixed(2)} × the best fixed concurrency's rows/s (${best.concurrency}); p99 ${auto.p99} ms against ${fixed.find((r) => r.concurrency === '64').p99} ms at 64.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
