// Start-up, as a user meets it: whole processes, timed from spawn to exit, as ratios to a bare `node -e 0`
// run right before each (interleaved, median of the pairwise ratios), so a busy or slow machine cancels
// out. Small runs on the bundled 30-row sample: --help, validate, and submit against the project's own
// `serve` on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ownBin = join(root, 'bin', 'bulk-submit.js');
const sample = join(root, 'samples', 'conversations.csv');

/** Wall milliseconds of one process, from spawn to exit; rejects unless it exits 0. */
function timed(args, cwd) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

function startServe(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const match = /listening on (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs each case `reps` times after a warm-up (the CLI at `bin`); returns [{name, ms, ratio}] with medians. */
export async function measureStartup(reps = 7, bin = ownBin) {
  const cwd = mkdtempSync(join(tmpdir(), 'bulk-submit-startup-'));
  const serve = await startServe(bin);
  const cases = [
    { name: '--help', args: [bin, '--help'], target: 1.5 },
    { name: 'validate, 30 rows', args: [bin, 'validate', '--force', '--report', 'v.ndjson', sample], target: 3 },
    { name: 'submit to serve, 30 rows', args: [bin, 'submit', '-e', serve.url, '--force', '--report', 's.ndjson', sample], target: 3.5 },
  ];
  const baseline = ['-e', '0'];
  const results = cases.map((c) => ({ ...c, ms: [], ratios: [] }));
  const baseMs = [];
  try {
    for (const c of cases) await timed(c.args, cwd); // warm-up: the file cache, serve's first answers
    for (let rep = 0; rep < reps; rep++) {
      for (const result of results) {
        const base = await timed(baseline, cwd);
        const ms = await timed(result.args, cwd);
        baseMs.push(base);
        result.ms.push(ms);
        result.ratios.push(ms / base);
      }
    }
  } finally {
    serve.stop();
  }
  return {
    baselineMs: median(baseMs),
    cases: results.map((r) => ({ name: r.name, ms: median(r.ms), ratio: median(r.ratios), target: r.target })),
  };
}

// `node bench/startup.js [--reps N]`: the start-up table alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--reps');
  const { baselineMs, cases } = await measureStartup(i === -1 ? 7 : Number(process.argv[i + 1]));
  process.stdout.write(`node -e 0: ${Math.round(baselineMs)} ms\n`);
  for (const c of cases) process.stdout.write(`${c.name}: ${Math.round(c.ms)} ms, ${c.ratio.toFixed(2)} × node -e 0 (target ≤ ${c.target})\n`);
}
