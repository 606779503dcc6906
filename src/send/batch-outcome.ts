import { foreignText, isObject, manyResults, singleResult } from './answer.js';
import type { AnswerRule } from './answer.js';
import type { HttpResult } from './http-client.js';
import { classify, errorText } from './outcome.js';
import type { Outcome } from './outcome.js';

/**
 * What a many-* answer means for each item, matched by eventId, never by position (the API does not
 * promise order). A 200 or 400 that lists `results` is read item by item: a blank `error` is accepted,
 * a non-empty one rejected; an item whose result is missing is `failed` (retryable), never accepted. A
 * 2xx without `results` accepts nothing, whatever else it says (any JSON API rule included: only a
 * result per item can vouch for the item): every item failed, retryable, unless it carries an error in
 * the single shape, which rejects every item. Any other answer (429, 5xx,
 * 409, 413, network error, …) applies to every item, classified as for a single record.
 */
export function classifyBatch(result: HttpResult, eventIds: readonly (string | undefined)[], rule: AnswerRule = 'api'): Outcome[] {
  const status = result.httpStatus;
  const results = (status === 200 || status === 400) && result.unread === undefined ? manyResults(result.body) : undefined;
  if (results === undefined) {
    if (status !== undefined && status >= 200 && status < 300 && singleResult(result.body)?.error === undefined) {
      const error = foreignText(result, 'api');
      return eventIds.map((eventId) => ({ status: 'failed', httpStatus: status, eventId, error, retryable: true, haltsRun: false }));
    }
    return eventIds.map((eventId) => classify(result, eventId, rule));
  }
  const byId = new Map<string, string>();
  for (const entry of results) {
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
        haltsRun: false,
      };
    }
    return error.trim() === ''
      ? { status: 'accepted', httpStatus: status, eventId: eventId, error: undefined, retryable: false, haltsRun: false }
      : { status: 'rejected', httpStatus: status, eventId: eventId, error, retryable: false, haltsRun: false };
  });
}
