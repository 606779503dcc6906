import type { Readable } from 'node:stream';
import type { Format, Source, SourceRow } from '../input/index.js';
import { openSource } from '../input/index.js';
import { digestOf, fieldsOf, generateEventId, mapCells, mapObject, resolveHeader, rowHash } from '../mapping/index.js';
import type { Column, ColumnMap, OtherKind } from '../mapping/index.js';
import { KIND_NAMES } from '../kinds.js';
import { readBundledSchema, validatorFor } from '../schema/index.js';
import type { RecordValidator } from '../schema/index.js';
import type { LoadedSchema } from '../schema/index.js';
import { INVALID, RAW, SEND, VALID } from './chunk.js';
import type { RowFate } from './chunk.js';

/**
 * The first half of the pipeline, in one place: read → map → validate → serialise. Reading runs in a
 * worker thread (see worker.ts and channel.ts), and so does the rest when the main thread is busy
 * sending one row a request (`stage: 'prepare'`); otherwise the worker only parses (`stage: 'parse'`)
 * and the main thread maps and validates, so each thread does about half the work. Options are plain
 * data so they can cross threads.
 */
export interface PrepareOptions {
  readonly files: readonly string[];
  readonly schema: LoadedSchema;
  readonly format?: Format | undefined;
  readonly map?: ColumnMap | undefined;
  readonly delimiter?: string | undefined;
  readonly encoding?: 'utf8' | 'latin1' | undefined;
  readonly trim?: boolean | undefined;
  readonly maxRecordSize?: number | undefined;
  readonly coerce?: boolean | undefined;
  /** Give rows without an eventId a deterministic one (default true). */
  readonly generateEventId?: boolean | undefined;
  /** Serialise valid rows for sending; false for validate and --dry-run. */
  readonly sending: boolean;
  /** Keep each row's cells (CSV) or value (NDJSON): the rejects file writes them back. */
  readonly keepCells: boolean;
  /** What the worker does: parse only (rows go out RAW, cells kept), or everything up to the JSON body. */
  readonly stage: 'parse' | 'prepare';
  /** Only rows whose row number mod `count` is `index`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
}

/** What the main thread needs to know of an input before the first row. */
export interface SourceInfo {
  readonly file: string;
  readonly format: Format;
  readonly header: string[] | null;
  readonly size: number | undefined;
}

/** Where prepared rows go: returns a promise when the taker is behind (backpressure). */
export interface RowSink {
  push(row: SourceRow, status: RowFate, eventId: string | null, text: string, digest: string | null): Promise<void> | undefined;
  /** The current file has ended after `rows` rows: what is held for it should go now. */
  endOfFile(file: string, rows: number): Promise<void>;
}

export interface Preparer {
  readonly sources: SourceInfo[];
  /** Input bytes read so far. */
  bytesRead(): number;
  /** Reads every row of every input into `sink`, pausing while the sink is behind. */
  prepare(sink: RowSink): Promise<void>;
  close(): void;
}

/** What one row came to: its fate, its eventId, and its JSON body (SEND) or errors (INVALID). */
export interface PreparedRow {
  readonly fate: RowFate;
  readonly eventId: string | null;
  readonly text: string;
  /** SEND: the row's digest (its position and record), which the report keeps for --resume to check. */
  readonly digest: string | null;
}

/**
 * Maps, validates and serialises rows by one schema; compiled once, used for every row. Without a
 * validator it only resolves headers: a worker that just parses needs none of its own (the main thread
 * maps and validates the rows).
 */
export class RowPreparer {
  readonly #validate: ((record: unknown) => string[]) | undefined;
  readonly #fields: ReturnType<typeof fieldsOf>;
  readonly #options: PrepareOptions;
  readonly #canCarryEventId: boolean;
  readonly #generate: boolean;
  readonly #plans = new Map<string, Column[]>();

  constructor(options: PrepareOptions, validate: RecordValidator | undefined) {
    this.#options = options;
    this.#validate = validate;
    this.#fields = fieldsOf(options.schema.schema);
    this.#canCarryEventId = this.#fields.has('eventId');
    this.#generate = this.#canCarryEventId && options.generateEventId !== false;
  }

  /** Resolves a CSV header against the schema (throws a HeaderError when it cannot be). */
  plan(file: string, header: string[]): void {
    const { map, schema } = this.#options;
    this.#plans.set(file, resolveHeader(header, this.#fields, file, { map, kind: schema.kind, others: () => this.#otherKinds() }));
  }

  /** The other bundled kinds, for a header that matches one of them better (read only on that error). */
  #otherKinds(): OtherKind[] {
    const kind = this.#options.schema.kind;
    if (kind === undefined || this.#options.map !== undefined) return [];
    return KIND_NAMES.filter((other) => other !== kind).map((other) => ({ name: other, fields: fieldsOf(readBundledSchema(other)) }));
  }

  prepare(row: SourceRow): PreparedRow {
    const validate = this.#validate;
    if (!validate) throw new Error('RowPreparer.prepare() on a preparer built only to resolve headers');
    let errors: string[];
    let record: Record<string, unknown> = {};
    if (row.error !== undefined) {
      errors = [row.error];
    } else {
      const columns = this.#plans.get(row.file);
      const mapped = columns ? mapCells(columns, row.cells ?? []) : mapObject(row.value as Record<string, unknown>, this.#options.coerce ? this.#fields : undefined);
      record = mapped.record;
      if (mapped.previousEventId !== undefined && record['eventId'] === undefined && this.#canCarryEventId) {
        record['eventId'] = mapped.previousEventId;
      }
      errors = mapped.errors.length > 0 ? [...mapped.errors, ...validate(record)] : validate(record);
    }
    const own = typeof record['eventId'] === 'string' ? record['eventId'] : null;
    if (errors.length > 0) return { fate: INVALID, eventId: own, text: errors.join('; '), digest: null };
    if (!this.#options.sending) return { fate: VALID, eventId: null, text: '', digest: null };
    // Serialise once; a generated eventId is spliced in front rather than re-serialising. One hash of
    // the row's position and record makes both the generated eventId and the digest.
    const json = JSON.stringify(record);
    const hash = rowHash(row.row, json);
    const digest = digestOf(hash);
    if (own !== null || !this.#generate) return { fate: SEND, eventId: own, text: json, digest };
    const eventId = generateEventId(row.row, json, hash);
    return { fate: SEND, eventId, text: json === '{}' ? `{"eventId":"${eventId}"}` : `{"eventId":"${eventId}",${json.slice(1)}`, digest };
  }
}

/**
 * Opens every input (reading CSV headers) and resolves each header against the schema before the first
 * row is read: a bad file or header is refused here, before anything is sent. Closes what it opened
 * when one fails.
 */
export async function openPreparer(options: PrepareOptions, stdin?: Readable): Promise<Preparer> {
  const parseOnly = options.stage === 'parse';
  const preparer = new RowPreparer(options, parseOnly ? undefined : await validatorFor(options.schema));
  const sources: Source[] = [];
  try {
    for (const file of options.files) {
      const source = await openSource(file, {
        format: options.format,
        stdin,
        delimiter: options.delimiter,
        encoding: options.encoding,
        trim: options.trim,
        maxRecordSize: options.maxRecordSize,
      });
      sources.push(source);
      if (source.header) preparer.plan(source.file, source.header);
    }
  } catch (error) {
    for (const source of sources) source.close();
    throw error;
  }
  const bytesRead = (): number => sources.reduce((sum, s) => sum + s.bytesRead(), 0);
  const { shard } = options;

  async function prepare(sink: RowSink): Promise<void> {
    for (const source of sources) {
      let rows = 0;
      for await (const row of source.rows) {
        rows = row.row;
        if (shard && row.row % shard.count !== shard.index) continue;
        let wait: Promise<void> | undefined;
        if (parseOnly) {
          wait = sink.push(row, RAW, null, row.error ?? '', null);
        } else {
          const prepared = preparer.prepare(row);
          wait = sink.push(row, prepared.fate, prepared.eventId, prepared.text, prepared.digest);
        }
        if (wait) await wait;
      }
      await sink.endOfFile(source.file, rows);
    }
  }

  return {
    sources: sources.map((s) => ({ file: s.file, format: s.format, header: s.header, size: s.size })),
    bytesRead,
    prepare,
    close: () => {
      for (const source of sources) source.close();
    },
  };
}
