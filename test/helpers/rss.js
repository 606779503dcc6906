// A process's peak resident memory, read from /proc/<pid>/status while it runs (VmHWM is the kernel's own
// high-water mark, so any read after the peak sees it; reads stop when the process is gone).
import { readFileSync } from 'node:fs';

/** VmHWM of `pid` in bytes, or undefined once the process is gone. */
function highWater(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Polls a child's peak RSS every 20 ms until `done` settles; resolves the highest value read (bytes). */
export async function peakRssWhile(child, done) {
  let peak = 0;
  let running = true;
  const finished = done.finally(() => (running = false));
  while (running) {
    const now = highWater(child.pid);
    if (now === undefined) break;
    peak = Math.max(peak, now);
    await Promise.race([new Promise((r) => setTimeout(r, 20)), finished]);
  }
  await finished;
  return peak;
}
