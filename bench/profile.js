// `node bench/profile.js [--top N] -- <bulk-submit args…>`: runs the CLI under V8's CPU profiler (every
// thread: the main one and the two preparing ones each write a .cpuprofile) and prints, per thread, where
// its time went: the functions with the most self time, and the garbage collector's share. Build with
// BUILD_NO_MINIFY=1 first (npm run build), so the bundle keeps its functions' names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/bulk-submit.js', import.meta.url));

/** Self time (ms) by function in one profile, and the profile's whole time. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ticks = new Map();
  profile.samples.forEach((id, i) => ticks.set(id, (ticks.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byName = new Map();
  let total = 0;
  for (const [id, ms] of ticks) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const name = `${callFrame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + ms);
    total += ms;
  }
  const idle = byName.get('(idle)') ?? 0;
  return { total, busy: total - idle, top: [...byName].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]) };
}

/** Runs the CLI with `args` under --cpu-prof; resolves [{thread, busy, gc, top}] per thread, the main one first. */
export function profileRun(args, { cwd = process.cwd(), top = 12, bin = BIN } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bulk-submit-prof-'));
  const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, bin, ...args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0 && run.status !== 1) throw new Error(`bulk-submit ${args.join(' ')} exited ${run.status}`);
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
  return files.map((file) => {
    const times = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const gc = times.top.find(([name]) => name === '(garbage collector)')?.[1] ?? 0;
    const thread = Number(file.split('.')[4]);
    return { thread: thread === 0 ? 'main' : `thread ${thread}`, busy: times.busy, gc, top: times.top.slice(0, top) };
  });
}

/** A thread's profile as a markdown table: its top functions by self time. */
export function profileTable(label, thread) {
  const lines = [`**${label}**: ${(thread.busy / 1000).toFixed(2)} s busy, of which GC ${((100 * thread.gc) / Math.max(1, thread.busy)).toFixed(0)} %`, '', '| function | self ms | % |', '|---|---:|---:|'];
  for (const [name, ms] of thread.top) lines.push(`| \`${name.replace(/\|/g, '\\|')}\` | ${Math.round(ms)} | ${((100 * ms) / Math.max(1, thread.busy)).toFixed(1)} |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dash = process.argv.indexOf('--');
  const topAt = process.argv.indexOf('--top');
  const top = topAt === -1 ? 12 : Number(process.argv[topAt + 1]);
  const args = dash === -1 ? [] : process.argv.slice(dash + 1);
  for (const thread of profileRun(args, { top })) process.stdout.write(`${profileTable(`${args[0] ?? 'run'}, ${thread.thread}`, thread)}\n\n`);
}
