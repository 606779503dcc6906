import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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
 * A lock file beside the report (`<report>.lock`, holding the pid), so two overlapping runs (cron) can
 * never write the same report. A lock left by a process that is gone (killed with -9) is taken over.
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
        try {
          holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
        } catch {
          // vanished between open and read: try again.
        }
        if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
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
