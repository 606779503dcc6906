import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FileSink } from '../report/index.js';

/**
 * The records `serve` accepted: eventIds in memory (for 409s), records appended to an NDJSON file when
 * one is given. An existing file is read at start, so a restarted server still answers 409 for what
 * it stored before.
 */
export class RecordStore {
  readonly #ids = new Set<string>();
  #sink: FileSink | undefined;
  stored = 0;

  static async open(file: string | undefined): Promise<RecordStore> {
    const store = new RecordStore();
    if (file === undefined) return store;
    if (existsSync(file)) {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        try {
          const { record } = JSON.parse(line) as { record?: { eventId?: unknown } };
          if (typeof record?.eventId === 'string') store.#ids.add(record.eventId);
        } catch {
          // a torn last line from a killed server: ignore it.
        }
      }
    }
    store.#sink = await FileSink.open(file, 'append', 'store');
    return store;
  }

  has(eventId: string): boolean {
    return this.#ids.has(eventId);
  }

  /** Keeps a record (with its eventId already set). */
  add(kind: string, record: Record<string, unknown> & { eventId: string }): void {
    this.#ids.add(record.eventId);
    this.stored++;
    void this.#sink?.write(`${JSON.stringify({ kind, storedAt: new Date().toISOString(), record })}\n`);
  }

  async close(): Promise<void> {
    await this.#sink?.close();
  }
}
