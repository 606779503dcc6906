import { filled, foreignText, isObject, provenanceOf, singleResult } from './answer.js';
import type { AnswerRule } from './answer.js';
import type { HttpResult } from './http-client.js';

export { isObject } from './answer.js';

export type SentStatus = 'accepted' | 'rejected' | 'failed';

/** What a response means for the row (or batch item) it answered. */
export interface Outcome {
  readonly status: SentStatus;
  readonly httpStatus: number | undefined;
  /** The eventId the service gave the row (or the one we sent). */
  readonly eventId: string | undefined;
  readonly error: string | undefined;
  /** Worth another try: network error, timeout, 408, 429, 5xx, an answer that is not the API's. */
  readonly retryable: boolean;
  /** 401/403, 404 or a redirect: no other row will fare better; the run stops (requester.ts says why). */
  readonly haltsRun: boolean;
}

/** The message of an API error answer: `{error: {code, message}}`, `{result: {error}}`, or the status. */
export function errorText(result: HttpResult): string {
  const body = result.body;
  if (isObject(body) && isObject(body['error'])) {
    const { code, message } = body['error'];
    const text = [code, message].filter((p) => typeof p === 'string' && p !== '').join(' ');
    if (text !== '') return `HTTP ${result.httpStatus}: ${text}`;
  }
  const inner = singleResult(body)?.error;
  if (inner !== undefined) return inner;
  if (isObject(body) && filled(body['error'])) return `HTTP ${result.httpStatus}: ${body['error']}`;
  return `HTTP ${result.httpStatus}`;
}

const outcome = (status: SentStatus, result: HttpResult, eventId: string | undefined, error: string | undefined, retryable = false, haltsRun = false): Outcome => ({
  status,
  httpStatus: result.httpStatus,
  eventId,
  error,
  retryable,
  haltsRun,
});

/**
 * Classifies one single-record exchange. Accepted only on the API's own word: a 2xx single answer that
 * names the row's eventId with a blank `error`, or a 409 error answer (the service has that eventId).
 * Rejected: a non-empty `error` (even in a 200), or a 4xx error answer other than 408/409/429. Failed:
 * no answer, 408, 429, 5xx, and any answer that is not the API's (an empty 200, HTML, JSON of another
 * shape, one too large to read), which is retried: it is not the service's verdict on the row but
 * something in the way (a proxy, a portal), possibly for a moment, and the row's eventId makes the
 * re-send safe. 401/403, 404 and 3xx halt the run: the credentials or the URL are wrong for every row.
 */
export function classify(result: HttpResult, sentEventId: string | undefined, rule: AnswerRule = 'api'): Outcome {
  const status = result.httpStatus;
  if (status === undefined) return outcome('failed', result, sentEventId, result.networkError, true);
  const own = provenanceOf(result, false, rule) === 'api';
  const said = own ? errorText(result) : foreignText(result, rule);
  if (status === 401 || status === 403) return outcome('rejected', result, sentEventId, said, false, true);
  if (status === 404) return outcome('failed', result, sentEventId, said, false, true);
  if (status >= 300 && status < 400) return outcome('failed', result, sentEventId, `HTTP ${status} redirect${result.location ? ` to ${result.location}` : ''}, not followed`, false, true);
  if (status === 413) return outcome('rejected', result, sentEventId, said);
  if (status === 408 || status === 429 || status >= 500 || !own) return outcome('failed', result, sentEventId, said, true);
  const answered = singleResult(result.body);
  const eventId = answered?.eventId ?? sentEventId;
  if (status === 409) return outcome('accepted', result, eventId, undefined);
  if (status >= 200 && status < 300) {
    const error = rule === 'api' ? answered?.error : errorOf(result);
    return error === undefined ? outcome('accepted', result, eventId, undefined) : outcome('rejected', result, eventId, error);
  }
  return outcome('rejected', result, eventId, said);
}

/** Under --accept-answer json: the error a 2xx JSON answer carries, if any (`error` as text or `{code, message}`, or `result.error`). */
function errorOf(result: HttpResult): string | undefined {
  const body = result.body;
  if (!isObject(body)) return undefined;
  if (isObject(body['error'])) return errorText(result);
  if (filled(body['error'])) return body['error'];
  return singleResult(body)?.error;
}
