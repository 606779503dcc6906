import { randomUUID } from 'node:crypto';
import type { Kind } from '../kinds.js';
import type { RecordValidator } from '../schema/index.js';
import type { Route } from './routes.js';
import type { RecordStore } from './store.js';

/** What the server has done so far, by record. */
export interface IngestCounts {
  /** Records stored. */
  stored: number;
  /** Records refused as invalid. */
  invalid: number;
  /** Records answered 409 (single) or idempotent success (many) because their eventId was stored. */
  duplicates: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The API's handling of a body: validate each record with the kind's schema, store the new ones, answer as documented. */
export class Ingest {
  readonly #validators: ReadonlyMap<Kind, RecordValidator>;
  readonly #store: RecordStore;
  readonly #counts: IngestCounts;

  constructor(validators: ReadonlyMap<Kind, RecordValidator>, store: RecordStore, counts: IngestCounts) {
    this.#validators = validators;
    this.#store = store;
    this.#counts = counts;
  }

  /** Parses and ingests a body; returns the status and the JSON answer. */
  answer(route: Route, text: string): { status: number; body: unknown } {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (!route.many) return { status: 400, body: { result: { eventId: '', error: `FAIL_BAD_PARAMS: ERROR: body is not valid JSON` } } };
      return { status: 400, body: { error: { requestId: randomUUID(), code: '400-01', message: 'body is not valid JSON' } } };
    }
    if (!route.many) {
      const result = this.#record(route.kind, body);
      if (result.duplicate) {
        return { status: 409, body: { error: { requestId: randomUUID(), code: '409-01', message: `entity with eventId ${result.eventId} already persisted` } } };
      }
      return { status: result.error === '' ? 200 : 400, body: { result: { eventId: result.eventId, error: result.error } } };
    }
    const items = isObject(body) ? body['items'] : undefined;
    if (!Array.isArray(items) || items.length < 1 || items.length > 1000) {
      return { status: 400, body: { error: { requestId: randomUUID(), code: '400-02', message: 'body must be {"items": [...]} with 1 to 1000 records' } } };
    }
    const results = items.map((item) => {
      const { eventId, error } = this.#record(route.kind, item);
      return { eventId, error };
    });
    const errorCount = results.filter((r) => r.error !== '').length;
    return { status: errorCount < results.length ? 200 : 400, body: { errorCount, results } };
  }

  /** Validates and stores one record; returns the API's `{eventId, error}` and whether it was stored before. */
  #record(kind: Kind, item: unknown): { eventId: string; error: string; duplicate: boolean } {
    const validate = this.#validators.get(kind)!;
    const given = isObject(item) && typeof item['eventId'] === 'string' ? item['eventId'] : undefined;
    const violations = validate(item);
    if (violations.length > 0) {
      this.#counts.invalid++;
      return { eventId: given ?? '', error: `FAIL_BAD_PARAMS: ERROR: ${violations.join('; ')}`, duplicate: false };
    }
    const eventId = given ?? randomUUID();
    if (this.#store.has(eventId)) {
      this.#counts.duplicates++;
      return { eventId, error: '', duplicate: true };
    }
    this.#store.add(kind, { ...(item as Record<string, unknown>), eventId });
    this.#counts.stored++;
    return { eventId, error: '', duplicate: false };
  }
}
