import type { Readable } from 'node:stream';
import type { Format, Source, SourceRow } from '../input/index.js';
import { openSource } from '../input/index.js';
import { fieldsOf, mapCells, mapObject, resolveHeader } from '../mapping/index.js';
import type { Column, ColumnMap } from '../mapping/index.js';
import { compileSchema } from '../schema/index.js';
import type { LoadedSchema } from '../schema/index.js';
import { generateEventId } from '../submit/event-id.js';
import { INVALID, SEND, VALID } from './chunk.js';
import type { RowFate } from './chunk.js';

/**
 * The first half of the pipeline, in one place: read → map → validate → serialise. It runs in a worker
 * thread (see worker.ts and channel.ts) so that parsing and validating one row overlaps with sending
 * the rows before it on the main thread; everything here is plain data so it can cross threads.
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
  push(row: SourceRow, status: RowFate, eventId: string | null, text: string): Promise<void> | undefined;
  /** The current file has ended: what is held for it should go now. */
  endOfFile(): Promise<void>;
}

export interface Preparer {
  readonly sources: SourceInfo[];
  /** Input bytes read so far. */
  bytesRead(): number;
  /** Reads every row of every input into `sink`, pausing while the sink is behind. */
  prepare(sink: RowSink): Promise<void>;
  close(): void;
}

/**
 * Opens every input (reading CSV headers) and resolves each header against the schema before the first
 * row is read: a bad file or header is refused here, before anything is sent. Closes what it opened
 * when one fails.
 */
export async function openPreparer(options: PrepareOptions, stdin?: Readable): Promise<Preparer> {
  const validate = compileSchema(options.schema);
  const fields = fieldsOf(options.schema.schema);
  const canCarryEventId = fields.has('eventId');
  const generate = canCarryEventId && options.generateEventId !== false;
  const sources: Source[] = [];
  const plans = new Map<Source, Column[]>();
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
      if (source.header) plans.set(source, resolveHeader(source.header, fields, source.file, options.map));
    }
  } catch (error) {
    for (const source of sources) source.close();
    throw error;
  }
  const bytesRead = (): number => sources.reduce((sum, s) => sum + s.bytesRead(), 0);
  const { shard, sending } = options;

  async function prepare(sink: RowSink): Promise<void> {
    for (const source of sources) {
      const columns = plans.get(source);
      for await (const row of source.rows) {
        if (shard && row.row % shard.count !== shard.index) continue;
        let errors: string[];
        let record: Record<string, unknown> = {};
        if (row.error !== undefined) {
          errors = [row.error];
        } else {
          const mapped = columns ? mapCells(columns, row.cells ?? []) : mapObject(row.value as Record<string, unknown>, options.coerce ? fields : undefined);
          record = mapped.record;
          if (mapped.previousEventId !== undefined && record['eventId'] === undefined && canCarryEventId) {
            record['eventId'] = mapped.previousEventId;
          }
          errors = mapped.errors.length > 0 ? [...mapped.errors, ...validate(record)] : validate(record);
        }
        const own = typeof record['eventId'] === 'string' ? record['eventId'] : null;
        let wait: Promise<void> | undefined;
        if (errors.length > 0) {
          wait = sink.push(row, INVALID, own, errors.join('; '));
        } else if (!sending) {
          wait = sink.push(row, VALID, null, '');
        } else {
          // Serialise once; a generated eventId is spliced in front rather than re-serialising.
          const json = JSON.stringify(record);
          if (own !== null || !generate) {
            wait = sink.push(row, SEND, own, json);
          } else {
            const eventId = generateEventId(row.row, json);
            wait = sink.push(row, SEND, eventId, json === '{}' ? `{"eventId":"${eventId}"}` : `{"eventId":"${eventId}",${json.slice(1)}`);
          }
        }
        if (wait) await wait;
      }
      await sink.endOfFile();
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
