// A memory-limited cgroup for one test, when this machine lets us make one (root, and a writable cgroup
// memory controller, v1 or v2): `memoryLimited(bytes)` → { run(command, args, options), remove() } or a
// reason it cannot be had. Nothing here is faked: the kernel enforces the limit, and kills past it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function tryMake(dir, limitFile, bytes) {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, limitFile), String(bytes));
    return true;
  } catch {
    return false;
  }
}

/** A cgroup limited to `bytes`, or { reason } when none can be made here. */
export function memoryLimited(bytes) {
  const name = `bulk-submit-test-${process.pid}-${Date.now()}`;
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  let dir;
  if (existsSync(v2) && readFileSync(v2, 'utf8').includes('memory') && tryMake(join('/sys/fs/cgroup', name), 'memory.max', bytes)) dir = join('/sys/fs/cgroup', name);
  else if (existsSync('/sys/fs/cgroup/memory') && tryMake(join('/sys/fs/cgroup/memory', name), 'memory.limit_in_bytes', bytes)) dir = join('/sys/fs/cgroup/memory', name);
  if (!dir) return { reason: 'cannot make a memory-limited cgroup here (needs root and a writable cgroup memory controller)' };
  return {
    /** Runs `command args…` inside the cgroup; resolves { code, signal, stdout, stderr }. */
    run: (command, args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn('sh', ['-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec "$@"`, 'sh', command, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      }),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // still in use by a process that has not quite gone: the kernel removes it with the last one
      }
    },
  };
}
