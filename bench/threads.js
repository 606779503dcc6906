// CPU seconds by thread of one whole run (Linux: /proc/<pid>/task/*/stat, sampled until the process
// ends), and of the endpoint process beside it: where the two cores went. Not a timing: CPU time is
// what a thread used, whatever else the machine was doing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux: clock ticks a second in /proc/*/stat

function ticksOf(statPath) {
  try {
    const text = readFileSync(statPath, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

/** Runs `node args…` in `cwd`; resolves { threads: [{tid, seconds}], main, endpointSeconds, stdout } once it ends. */
export function threadCpu(args, cwd, endpointPid) {
  if (!existsSync('/proc/self/task')) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const endpointBefore = endpointPid ? ticksOf(`/proc/${endpointPid}/stat`) : undefined;
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const last = new Map();
    const sample = () => {
      let tasks;
      try {
        tasks = readdirSync(`/proc/${child.pid}/task`);
      } catch {
        return;
      }
      for (const tid of tasks) {
        const ticks = ticksOf(`/proc/${child.pid}/task/${tid}/stat`);
        if (ticks !== undefined) last.set(Number(tid), ticks);
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(timer);
      const endpointAfter = endpointPid ? ticksOf(`/proc/${endpointPid}/stat`) : undefined;
      const threads = [...last].map(([tid, ticks]) => ({ tid, seconds: ticks / TICK })).sort((a, b) => b.seconds - a.seconds);
      resolve({ threads, main: threads.find((t) => t.tid === child.pid)?.seconds ?? 0, endpointSeconds: endpointBefore === undefined ? undefined : (endpointAfter - endpointBefore) / TICK, stdout });
    });
  });
}
