// What a whole process costs: wall time, CPU seconds (user + sys, every thread) and peak RSS, from GNU
// time (Debian's `time` package, /usr/bin/time): `timed(command, args)`. Not from inside the process, so
// the same measure serves bulk-submit, the bare undici loop and curl alike.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** Is GNU time there to measure with? */
export function canMeasure() {
  return existsSync(GNU_TIME);
}

/**
 * Runs `command args…` under GNU time; resolves { code, stdout, stderr, wallMs, cpuSeconds, rss } (rss in
 * bytes, the process's peak). Rejects when the command cannot start.
 */
export function timed(command, args, { cwd, env } = {}) {
  const out = join(mkdtempSync(join(tmpdir(), 'bulk-submit-cost-')), 'time.txt');
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%e %U %S %M', '-o', out, command, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // GNU time writes "Command exited with non-zero status N" before its line when the command failed.
      const last = readFileSync(out, 'utf8').trim().split('\n').pop();
      const [wall, user, sys, maxKb] = last.split(' ').map(Number);
      resolve({ code, stdout, stderr, wallMs: wall * 1000, cpuSeconds: user + sys, rss: maxKb * 1024 });
    });
  });
}
