import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The records `serve` accepted: eventIds in memory (for 409s), records appended to an NDJSON file when
 * one is given. An existing file is read at start, so a restarted server still answers 409 for what
 * it stored before.
 */
export class RecordStore {
  readonly #ids = new Set<string>();
  #fd: number | undefined;
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
    // Written synchronously, record by record, before the answer goes out: when serve says "stored",
    // the record is in the file (visible to any reader, and there even if serve is killed next).
    store.#fd = openSync(file, 'a', 0o600);
    return store;
  }

  has(eventId: string): boolean {
    return this.#ids.has(eventId);
  }

  /** Keeps a record (with its eventId already set). */
  add(kind: string, record: Record<string, unknown> & { eventId: string }): void {
    this.#ids.add(record.eventId);
    this.stored++;
    if (this.#fd !== undefined) writeSync(this.#fd, `${JSON.stringify({ kind, storedAt: new Date().toISOString(), record })}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
