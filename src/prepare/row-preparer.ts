import { contentHash, digestOf, fieldsOf, generateEventId, hashHigh, hashLow, mapCells, mapObject, normalizeDateTimes, positionedDigest, resolveHeader, rowHash } from '../mapping/index.js';
import type { Column, Field, ZoneReader } from '../mapping/index.js';
import { violationsText } from '../schema/index.js';
import type { RecordValidator } from '../schema/index.js';
import { otherKinds } from './other-kinds.js';
import type { PrepareSettings } from './prepare-settings.js';
import type { RowTools } from './row-tools.js';
import { cellsByHeader, isThenable, transformFailure } from './transform.js';
import type { Transform, TransformRow } from './transform.js';

/** A row to send: its body's JSON, its eventId and digest, and what the run's table of records seen and --resume need. */
export interface SendRow {
  readonly fate: 'send';
  /** The record as it goes out (a generated eventId spliced in front). */
  readonly json: string;
  readonly eventId: string | null;
  readonly digest: string;
  /** Repeats are looked for (--event-ids content) by `high` and `low`: the first 64 bits of the record's content hash. */
  readonly seen: boolean;
  readonly high: number;
  readonly low: number;
  /** The record as mapped, before a generated eventId: what a report written before content ids made its digest of. */
  readonly plain: string;
}

/** What one row came to: sent, or finished here (invalid, valid, or dropped by --transform). */
export type PreparedRow =
  | SendRow
  | { readonly fate: 'invalid'; readonly error: string; readonly eventId: string | null }
  | { readonly fate: 'valid' }
  | { readonly fate: 'dropped' };

/** A parsed row as the mapping side gets it. */
export interface ParsedRow {
  readonly row: number;
  readonly line: number;
  readonly cells: readonly string[] | null;
  readonly value: unknown;
  /** A reader-level problem: the row is invalid with it. */
  readonly error: string | null;
}

const DROPPED: PreparedRow = { fate: 'dropped' };

/**
 * An invalid row: its error is its problems (the violations, or the one problem that stopped it) as one
 * text, in which `; ` only ever separates two of them (violationsText), for the top errors to count each.
 */
function invalid(problems: readonly string[], eventId: string | null): PreparedRow {
  return { fate: 'invalid', error: violationsText(problems), eventId };
}

/** What a transform returned that is neither a record nor null, in words. */
function notARecord(value: unknown): string {
  const got = value === undefined ? 'undefined' : Array.isArray(value) ? 'an array' : typeof value;
  return `transform: must return the record (an object), or null to leave the row out (got ${got})`;
}

/**
 * Maps, transforms (--transform), validates and serialises rows by one schema; compiled once, used for
 * every row. Date-time properties are made RFC 3339 (read in --timezone) after the transform, just
 * before validation, so what a transform returns is read as a cell would be.
 */
export class RowPreparer {
  readonly #validate: RecordValidator;
  readonly #transform: Transform | undefined;
  readonly #zone: ZoneReader | undefined;
  readonly #fields: Map<string, Field>;
  /** The schema's date-time properties. */
  readonly #dateTimes: string[];
  readonly #settings: PrepareSettings;
  readonly #canCarryEventId: boolean;
  readonly #generate: boolean;
  readonly #rule: PrepareSettings['eventIds'];
  /** Per input (by index): how its CSV columns map, or undefined for NDJSON. */
  readonly #plans: (Column[] | undefined)[] = [];
  /** Per input: its name and CSV header, for the transform's `row`. */
  readonly #inputs: { file: string; header: string[] | null }[] = [];

  constructor(settings: PrepareSettings, tools: RowTools) {
    this.#settings = settings;
    this.#validate = tools.validate;
    this.#transform = tools.transform;
    this.#zone = tools.zone;
    this.#fields = fieldsOf(settings.schema.schema);
    this.#dateTimes = [...this.#fields.values()].filter((field) => field.isDateTime).map((field) => field.name);
    this.#canCarryEventId = this.#fields.has('eventId');
    this.#rule = settings.eventIds;
    this.#generate = this.#canCarryEventId && settings.eventIds !== 'service';
  }

  /**
   * Resolves an input's CSV header against the schema, once (throws a BULK_HEADER_* error when it cannot be).
   * With a transform, a column that matches no property is not refused: the transform reads it.
   */
  plan(index: number, file: string, header: string[] | null): void {
    const { map, schema } = this.#settings;
    const others = (): ReturnType<typeof otherKinds> => (map === undefined ? otherKinds(schema.kind) : []);
    const options = { map, kind: schema.kind, others, unknownIgnored: this.#transform !== undefined };
    this.#plans[index] = header ? resolveHeader(header, this.#fields, file, options) : undefined;
    this.#inputs[index] = { file, header };
  }

  /** One row's fate; a promise only when an async transform gave one (a sync transform costs no microtask). */
  prepare(file: number, parsed: ParsedRow): PreparedRow | Promise<PreparedRow> {
    if (parsed.error !== null) return invalid([parsed.error], null);
    const columns = this.#plans[file];
    const mapped = columns ? mapCells(columns, parsed.cells ?? []) : mapObject(parsed.value as Record<string, unknown>, this.#settings.coerce ? this.#fields : undefined);
    const transform = this.#transform;
    // A row whose cells did not convert is invalid as it is: the transform sees only rows that mapped.
    if (transform === undefined || mapped.errors.length > 0) return this.#finish(parsed.row, mapped.record, mapped.errors, mapped.previousEventId, false);
    const own = mapped.record['eventId'];
    const eventId = typeof own === 'string' ? own : this.#canCarryEventId ? (mapped.previousEventId ?? null) : null;
    let result: unknown;
    try {
      // An NDJSON record may be the input's own value, kept for the rejects file: the transform gets a copy.
      result = transform(columns ? mapped.record : structuredClone(mapped.record), this.#rowOf(file, parsed));
    } catch (error) {
      return invalid([transformFailure(error)], eventId);
    }
    if (!isThenable(result)) return this.#transformed(parsed.row, result, mapped.previousEventId, eventId);
    return Promise.resolve(result).then(
      (value) => this.#transformed(parsed.row, value, mapped.previousEventId, eventId),
      (error: unknown): PreparedRow => invalid([transformFailure(error)], eventId),
    );
  }

  /** The transform's `row`: where the row is, and its input as read (CSV cells by header, or the NDJSON value). */
  #rowOf(file: number, parsed: ParsedRow): TransformRow {
    const input = this.#inputs[file];
    const cells = input.header ? cellsByHeader(input.header, parsed.cells ?? []) : parsed.value;
    return { file: input.file, line: parsed.line, row: parsed.row, cells };
  }

  /** What the transform returned: null drops the row, a record goes on to validation. */
  #transformed(row: number, value: unknown, previousEventId: string | undefined, eventId: string | null): PreparedRow {
    if (value === null) return DROPPED;
    if (typeof value !== 'object' || Array.isArray(value)) return invalid([notARecord(value)], eventId);
    return this.#finish(row, value as Record<string, unknown>, [], previousEventId, true);
  }

  /** Validates and serialises a record (`errors`: its mapping problems so far); `shared`: not ours to change. */
  #finish(row: number, record: Record<string, unknown>, errors: string[], previousEventId: string | undefined, shared: boolean): PreparedRow {
    if (previousEventId !== undefined && record['eventId'] === undefined && this.#canCarryEventId) {
      if (shared) record = { ...record };
      record['eventId'] = previousEventId;
    }
    if (this.#dateTimes.length > 0) record = normalizeDateTimes(record, this.#dateTimes, this.#zone, errors);
    const problems = errors.length > 0 ? errors.concat(this.#validate(record)) : this.#validate(record);
    const own = typeof record['eventId'] === 'string' ? record['eventId'] : null;
    if (problems.length > 0) return invalid(problems, own);
    // Not sending (validate, --dry-run), a row needs no body, nor an eventId unless the ledger is to be asked about it.
    if (!this.#settings.sending && this.#settings.ledger === undefined) return { fate: 'valid' };
    // Serialise once; a generated eventId is spliced in front rather than re-serialising. One hash makes
    // both the row's eventId and its digest: of its position and record (the position rule), or of its
    // scope and record (content), the digest then mixing in the position (event-id.ts).
    let json: string;
    try {
      json = JSON.stringify(record);
    } catch (error) {
      // Only a transform's record can get here (a BigInt, a cycle): what a file gives always serialises.
      return invalid([`transform: the record cannot be written as JSON: ${(error as Error).message}`], own);
    }
    const position = this.#rule === 'position';
    const hash = position ? rowHash(row, json) : contentHash(this.#settings.idScope, json);
    const high = position ? 0 : hashHigh(hash);
    const low = position ? 0 : hashLow(hash);
    const digest = position ? digestOf(hash) : positionedDigest(high, low, row);
    const seen = this.#rule === 'content';
    if (own !== null || !this.#generate) return { fate: 'send', json, eventId: own, digest, seen, high, low, plain: json };
    const eventId = generateEventId(hash);
    return { fate: 'send', json: json === '{}' ? `{"eventId":"${eventId}"}` : `{"eventId":"${eventId}",${json.slice(1)}`, eventId, digest, seen, high, low, plain: json };
  }
}
