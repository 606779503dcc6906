import { digestOf, fieldsOf, generateEventId, mapCells, mapObject, resolveHeader, rowHash } from '../mapping/index.js';
import type { Column, Field } from '../mapping/index.js';
import type { RecordValidator } from '../schema/index.js';
import { otherKinds } from './hints.js';
import type { PrepareSettings } from './settings.js';

/** What one row came to: sent (its JSON, eventId and digest), or finished here (invalid or valid). */
export type PreparedRow =
  | { readonly fate: 'send'; readonly json: string; readonly eventId: string | null; readonly digest: string }
  | { readonly fate: 'invalid'; readonly error: string; readonly eventId: string | null }
  | { readonly fate: 'valid' };

/** A parsed row as the mapping side gets it. */
export interface ParsedRow {
  readonly row: number;
  readonly cells: readonly string[] | null;
  readonly value: unknown;
  /** A reader-level problem: the row is invalid with it. */
  readonly error: string | null;
}

/** Maps, validates and serialises rows by one schema; compiled once, used for every row. */
export class RowPreparer {
  readonly #validate: RecordValidator;
  readonly #fields: Map<string, Field>;
  readonly #settings: PrepareSettings;
  readonly #canCarryEventId: boolean;
  readonly #generate: boolean;
  /** Per input (by index): how its CSV columns map, or undefined for NDJSON. */
  readonly #plans: (Column[] | undefined)[] = [];

  constructor(settings: PrepareSettings, validate: RecordValidator) {
    this.#settings = settings;
    this.#validate = validate;
    this.#fields = fieldsOf(settings.schema.schema);
    this.#canCarryEventId = this.#fields.has('eventId');
    this.#generate = this.#canCarryEventId && settings.generateEventId;
  }

  /** Resolves an input's CSV header against the schema, once (throws a HeaderError when it cannot be). */
  plan(index: number, file: string, header: string[] | null): void {
    const { map, schema } = this.#settings;
    const others = (): ReturnType<typeof otherKinds> => (map === undefined ? otherKinds(schema.kind) : []);
    this.#plans[index] = header ? resolveHeader(header, this.#fields, file, { map, kind: schema.kind, others }) : undefined;
  }

  prepare(file: number, parsed: ParsedRow): PreparedRow {
    let errors: string[];
    let record: Record<string, unknown> = {};
    if (parsed.error !== null) {
      errors = [parsed.error];
    } else {
      const columns = this.#plans[file];
      const mapped = columns ? mapCells(columns, parsed.cells ?? []) : mapObject(parsed.value as Record<string, unknown>, this.#settings.coerce ? this.#fields : undefined);
      record = mapped.record;
      if (mapped.previousEventId !== undefined && record['eventId'] === undefined && this.#canCarryEventId) record['eventId'] = mapped.previousEventId;
      errors = mapped.errors.length > 0 ? [...mapped.errors, ...this.#validate(record)] : this.#validate(record);
    }
    const own = typeof record['eventId'] === 'string' ? record['eventId'] : null;
    if (errors.length > 0) return { fate: 'invalid', error: errors.join('; '), eventId: own };
    if (!this.#settings.sending) return { fate: 'valid' };
    // Serialise once; a generated eventId is spliced in front rather than re-serialising. One hash of
    // the row's position and record makes both the generated eventId and the digest.
    const json = JSON.stringify(record);
    const hash = rowHash(parsed.row, json);
    const digest = digestOf(hash);
    if (own !== null || !this.#generate) return { fate: 'send', json, eventId: own, digest };
    const eventId = generateEventId(parsed.row, json, hash);
    return { fate: 'send', json: json === '{}' ? `{"eventId":"${eventId}"}` : `{"eventId":"${eventId}",${json.slice(1)}`, eventId, digest };
  }
}
