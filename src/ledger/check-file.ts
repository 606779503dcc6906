import { constants, promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BulkError } from '../errors.js';

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A ledger file refused: one line saying what is wrong, the file untouched. */
export function notLedger(file: string, why: string): BulkError {
  return new BulkError('BULK_LEDGER_INVALID', `not a usable ledger: ${why}`, { file });
}

/** What is there before SQLite opens anything: nothing (a new ledger), an empty file, or a SQLite file. */
export type FileState = 'missing' | 'empty' | 'sqlite';

/**
 * Looks at the file with plain reads, writing nothing: a directory, a file whose first bytes are not
 * SQLite's header, or (unless read-only) a file or folder that cannot be written is refused here.
 */
export async function checkFile(file: string, readonly: boolean): Promise<FileState> {
  const state = await headerState(file);
  if (state === 'missing' && readonly) throw notLedger(file, 'no such file');
  if (!readonly) await checkWritable(file, state);
  return state;
}

async function headerState(file: string): Promise<FileState> {
  let handle: fs.FileHandle;
  try {
    if ((await fs.stat(file)).isDirectory()) throw notLedger(file, 'it is a directory');
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (error instanceof BulkError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    throw notLedger(file, `it cannot be read (${code ?? String(error)})`);
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead === 0) return 'empty';
    if (bytesRead < header.length || !header.equals(SQLITE_HEADER)) throw notLedger(file, 'it is not a SQLite database (its first bytes are not "SQLite format 3")');
    return 'sqlite';
  } finally {
    await handle.close();
  }
}

/** SQLite writes the file and, in WAL mode, FILE-wal and FILE-shm beside it: both must be writable. */
async function checkWritable(file: string, state: FileState): Promise<void> {
  const folder = dirname(resolve(file));
  try {
    await fs.access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw notLedger(file, code === 'ENOENT' ? `its folder ${folder} does not exist` : `its folder ${folder} cannot be written (${code ?? String(error)})`);
  }
  if (state === 'missing') return;
  try {
    await fs.access(file, constants.W_OK);
  } catch (error) {
    throw notLedger(file, `it cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
