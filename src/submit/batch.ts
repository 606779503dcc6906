import type { HttpResult } from './client.js';
import { classify, errorText } from './outcome.js';
import type { Outcome } from './outcome.js';

/** Something with a pre-serialised JSON body and the eventId inside it. */
export interface Sendable {
  readonly eventId: string | undefined;
  readonly body: string;
}

/**
 * Groups items into batches of at most `size`, yielding a batch when it is full or when `waitMs` has
 * passed since its first item arrived, so a slow trickle (stdin) still flows. Items with an eventId
 * already in the open batch start the next one: the API links results to items by eventId only, so
 * ids must be unique within a batch. Pulls from `items` only as batches are taken (backpressure).
 */
export async function* batches<T extends Sendable>(items: AsyncIterable<T>, size: number, waitMs: number): AsyncGenerator<T[]> {
  const iterator = items[Symbol.asyncIterator]();
  let batch: T[] = [];
  let ids = new Set<string>();
  let pending: Promise<IteratorResult<T>> | undefined;
  // One timer per open batch (not per item): it fires once the batch's first row has waited waitMs.
  let timeout: Promise<'timeout'> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const close = (): T[] => {
    const full = batch;
    batch = [];
    ids = new Set();
    clearTimeout(timer);
    timeout = undefined;
    return full;
  };
  try {
    for (;;) {
      pending ??= iterator.next();
      const next: IteratorResult<T> | 'timeout' = timeout === undefined ? await pending : await Promise.race([pending, timeout]);
      if (next === 'timeout') {
        yield close();
        continue; // `pending` is still in flight: it is awaited on the next turn.
      }
      pending = undefined;
      if (next.done) break;
      const item = next.value;
      if (item.eventId !== undefined && ids.has(item.eventId)) yield close();
      if (batch.length === 0) timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
      batch.push(item);
      if (item.eventId !== undefined) ids.add(item.eventId);
      if (batch.length >= size) yield close();
    }
    if (batch.length > 0) yield close();
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}

/** `{"items":[…]}` from the items' pre-serialised bodies: no record is serialised twice. */
export function batchBody(items: readonly Sendable[]): string {
  let body = '{"items":[';
  for (let i = 0; i < items.length; i++) body += (i === 0 ? '' : ',') + items[i].body;
  return `${body}]}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * What a many-* answer means for each item, matched by eventId, never by position (the API does not
 * promise order). 200 and 400 carry per-item results: a blank `error` is accepted, a non-empty one
 * rejected; an item whose result is missing is `failed` (retryable), never accepted. Any other answer
 * (429, 5xx, 409, 413, network error, …) applies to every item, classified as for a single record.
 */
export function classifyBatch(result: HttpResult, items: readonly Sendable[]): Outcome[] {
  const body = result.body;
  const status = result.httpStatus;
  const perItem = (status === 200 || status === 400) && isObject(body) && Array.isArray(body['results']);
  if (!perItem) {
    return items.map((item) => classify(result, item.eventId));
  }
  const byId = new Map<string, string>();
  for (const entry of body['results'] as unknown[]) {
    if (isObject(entry) && typeof entry['eventId'] === 'string') byId.set(entry['eventId'], typeof entry['error'] === 'string' ? entry['error'] : '');
  }
  return items.map((item): Outcome => {
    const error = item.eventId === undefined ? undefined : byId.get(item.eventId);
    if (error === undefined) {
      return {
        status: 'failed',
        httpStatus: status,
        eventId: item.eventId,
        error: `no result for this item in the batch answer (HTTP ${status}${status === 400 ? `: ${errorText(result)}` : ''})`,
        retryable: true,
        authRefused: false,
      };
    }
    return error.trim() === ''
      ? { status: 'accepted', httpStatus: status, eventId: item.eventId, error: undefined, retryable: false, authRefused: false }
      : { status: 'rejected', httpStatus: status, eventId: item.eventId, error, retryable: false, authRefused: false };
  });
}
