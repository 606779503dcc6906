import { promises as fs } from 'node:fs';

/**
 * Writes `text` to a temporary file beside `file`, then renames it over: a reader (node_exporter's
 * collector, a browser, a CI artefact upload) never sees half a file. Mode 0600 by default: what bulk-submit
 * writes names files and rows that hold customer data.
 */
export async function writeAtomically(file: string, text: string, mode = 0o600): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, text, { mode });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
