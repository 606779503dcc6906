import type { Format } from '../input/index.js';
import type { ColumnMap, EventIdRule } from '../mapping/index.js';
import type { LoadedSchema } from '../schema/index.js';
import type { DoneRowsData } from './done-rows.js';

/**
 * Everything the preparing stage needs, resolved (defaults applied) by the pipeline: plain data, so it
 * crosses into the stage's threads as it is.
 */
export interface PrepareSettings {
  readonly files: readonly string[];
  /** How the inputs are read. */
  readonly read: ReadSettings;
  /** Only rows whose row number mod `count` is `index`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
  readonly schema: LoadedSchema;
  /** `--map`: CSV header → property, `attr.<name>`, or null to drop the column. */
  readonly map?: ColumnMap | undefined;
  /** `--transform`: the module as given (for messages) and its file URL, imported where rows are mapped. */
  readonly transform?: { readonly file: string; readonly url: string } | undefined;
  /** `--timezone`: the IANA zone in which a date-time without an offset is read. */
  readonly timezone?: string | undefined;
  /** NDJSON: convert scalars to the types the schema wants. */
  readonly coerce: boolean;
  /** How a row without an eventId gets one (mapping/event-id.ts): from its content (rows that repeat an earlier row are then sent once), its position, or not at all (the service's). */
  readonly eventIds: EventIdRule;
  /** What a content eventId is scoped to beside the record: the record kind, or a custom --path. */
  readonly idScope: string;
  /** Serialise valid rows into request bodies; false for validate and --dry-run (valid rows finish here). */
  readonly sending: boolean;
  /** Rows per request body: 1 = one record a body, else `{"items":[…]}` batches. */
  readonly batchSize: number;
  /** A batch that is not full goes once its first row has waited this long (ms). */
  readonly batchWaitMs: number;
  /** Keep each row's input (cells, value, line) for the rejects file. */
  readonly keepCells: boolean;
  /** --ledger (submit, --dry-run too): the ledger's file; the rows whose eventIds it holds are skipped (not sent; --dry-run: not counted to send). */
  readonly ledger?: string | undefined;
  /** --resume: the rows an earlier run got accepted, by input. */
  readonly done?: DoneRowsData | undefined;
}

export interface ReadSettings {
  readonly format?: Format | undefined;
  readonly delimiter?: string | undefined;
  readonly encoding: 'utf8' | 'latin1';
  readonly trim: boolean;
  readonly maxRecordSize: number;
  /** Extra trusted CA certificates (PEM text) for https:// and s3:// inputs (`--ca`). */
  readonly ca?: string | undefined;
}

/** What the stage tells of each input before the first row: the sending side names files by index. */
export interface SourceInfo {
  readonly file: string;
  readonly format: Format;
  readonly header: string[] | null;
  /** On disk (compressed for .gz); undefined for stdin and pipes. */
  readonly size: number | undefined;
}
