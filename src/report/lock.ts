import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { BulkError } from '../errors.js';

/** Is a process with this pid alive (on this machine)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process with this pid started (ms since the epoch), where Linux says (/proc); undefined
 * elsewhere. Field 22 of /proc/PID/stat is its start in clock ticks after boot (USER_HZ, 100 on Linux);
 * /proc/stat's btime is the boot, in seconds.
 */
function startedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Does the lock's pid hold it? Only if that process is alive and was running when the lock was written:
 * a pid reused by a process started since (a container restarted, its pids counted from 1 again) does not.
 */
function holds(pid: number, lockWrittenAt: number): boolean {
  if (!alive(pid)) return false;
  const started = startedAt(pid);
  // A second of slack: the clock ticks and the file's time are not of one grain.
  return started === undefined || started <= lockWrittenAt + 1000;
}

/**
 * A lock file beside the report (`<report>.lock`, holding the pid), so two overlapping runs (cron) can
 * never write the same report. A lock left by a process that is gone (killed with -9), or whose pid now
 * names a process started after the lock was written, is taken over.
 * Sync I/O on purpose: it runs once, before anything is read or sent.
 */
export class ReportLock {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static acquire(reportPath: string): ReportLock {
    const path = `${reportPath}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new ReportLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new BulkError('BULK_REPORT_UNWRITABLE', `cannot create the lock file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: path });
        }
        let holder = NaN;
        let writtenAt = 0;
        try {
          holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
          writtenAt = statSync(path).mtimeMs;
        } catch {
          // vanished between open and read: try again.
        }
        if (Number.isInteger(holder) && holder > 0 && holds(holder, writtenAt)) {
          throw new BulkError('BULK_REPORT_LOCKED', `another bulk-submit run (pid ${holder}) is writing this report; wait for it to finish, or remove ${path} if that process is not bulk-submit`, { file: reportPath });
        }
        try {
          unlinkSync(path); // stale: its process is gone.
        } catch {
          // someone else took it over first: the next attempt sees their lock.
        }
      }
    }
    throw new BulkError('BULK_REPORT_LOCKED', 'another bulk-submit run took the report lock at the same moment', { file: reportPath });
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
