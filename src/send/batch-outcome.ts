import type { HttpResult } from './http-client.js';
import { classify, errorText, isObject } from './outcome.js';
import type { Outcome } from './outcome.js';

/**
 * What a many-* answer means for each item, matched by eventId, never by position (the API does not
 * promise order). 200 and 400 carry per-item results: a blank `error` is accepted, a non-empty one
 * rejected; an item whose result is missing is `failed` (retryable), never accepted. Any other answer
 * (429, 5xx, 409, 413, network error, …) applies to every item, classified as for a single record.
 */
export function classifyBatch(result: HttpResult, eventIds: readonly (string | undefined)[]): Outcome[] {
  const body = result.body;
  const status = result.httpStatus;
  const perItem = (status === 200 || status === 400) && isObject(body) && Array.isArray(body['results']);
  if (!perItem) {
    return eventIds.map((eventId) => classify(result, eventId));
  }
  const byId = new Map<string, string>();
  for (const entry of body['results'] as unknown[]) {
    if (isObject(entry) && typeof entry['eventId'] === 'string') byId.set(entry['eventId'], typeof entry['error'] === 'string' ? entry['error'] : '');
  }
  return eventIds.map((eventId): Outcome => {
    const error = eventId === undefined ? undefined : byId.get(eventId);
    if (error === undefined) {
      return {
        status: 'failed',
        httpStatus: status,
        eventId: eventId,
        error: `no result for this item in the batch answer (HTTP ${status}${status === 400 ? `: ${errorText(result)}` : ''})`,
        retryable: true,
        authRefused: false,
      };
    }
    return error.trim() === ''
      ? { status: 'accepted', httpStatus: status, eventId: eventId, error: undefined, retryable: false, authRefused: false }
      : { status: 'rejected', httpStatus: status, eventId: eventId, error, retryable: false, authRefused: false };
  });
}
