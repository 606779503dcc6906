import type { HttpResult } from './http-client.js';

export type SentStatus = 'accepted' | 'rejected' | 'failed';

/** What a response means for the row (or batch item) it answered. */
export interface Outcome {
  readonly status: SentStatus;
  readonly httpStatus: number | undefined;
  /** The eventId the service gave the row (or the one we sent). */
  readonly eventId: string | undefined;
  readonly error: string | undefined;
  /** Worth another try: network error, timeout, 408, 429, 5xx. */
  readonly retryable: boolean;
  /** 401/403: no other row will fare better; stop the run. */
  readonly authRefused: boolean;
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The `{eventId, error}` of a single-record answer: documented `{result: {…}}`, or the seed's flat shape. */
function resultOf(body: unknown): { eventId?: string; error?: string } | undefined {
  if (!isObject(body)) return undefined;
  const inner = isObject(body['result']) ? body['result'] : body;
  const eventId = typeof inner['eventId'] === 'string' ? inner['eventId'] : undefined;
  const error = typeof inner['error'] === 'string' ? inner['error'] : undefined;
  if (eventId === undefined && error === undefined) return undefined;
  return { ...(eventId === undefined ? {} : { eventId }), ...(error === undefined ? {} : { error }) };
}

/** The message of an error answer: `{error: {code, message}}`, `{result: {error}}`, or the status. */
export function errorText(result: HttpResult): string {
  const body = result.body;
  if (isObject(body) && isObject(body['error'])) {
    const { code, message } = body['error'];
    const text = [code, message].filter((p) => typeof p === 'string' && p !== '').join(' ');
    if (text !== '') return `HTTP ${result.httpStatus}: ${text}`;
  }
  const inner = resultOf(body);
  if (inner?.error && inner.error.trim() !== '') return inner.error;
  if (isObject(body) && typeof body['error'] === 'string' && body['error'].trim() !== '') return `HTTP ${result.httpStatus}: ${body['error']}`;
  return `HTTP ${result.httpStatus}`;
}

/**
 * Classifies one single-record exchange:
 * accepted = 2xx with a blank `error`, or 409 (already stored); rejected = a non-empty `error` (even in
 * a 200) or a 4xx other than 408/409/429; failed = no answer, 408, 429 or 5xx.
 */
export function classify(result: HttpResult, sentEventId: string | undefined): Outcome {
  const status = result.httpStatus;
  if (status === undefined) {
    return { status: 'failed', httpStatus: undefined, eventId: sentEventId, error: result.networkError, retryable: true, authRefused: false };
  }
  if (status === 409) {
    return { status: 'accepted', httpStatus: status, eventId: resultOf(result.body)?.eventId ?? sentEventId, error: undefined, retryable: false, authRefused: false };
  }
  if (status >= 200 && status < 300) {
    const inner = resultOf(result.body);
    const eventId = inner?.eventId || sentEventId;
    if (inner?.error !== undefined && inner.error.trim() !== '') {
      return { status: 'rejected', httpStatus: status, eventId, error: inner.error, retryable: false, authRefused: false };
    }
    return { status: 'accepted', httpStatus: status, eventId, error: undefined, retryable: false, authRefused: false };
  }
  const eventId = resultOf(result.body)?.eventId || sentEventId;
  if (status === 408 || status === 429 || status >= 500) {
    return { status: 'failed', httpStatus: status, eventId, error: errorText(result), retryable: true, authRefused: false };
  }
  return {
    status: 'rejected',
    httpStatus: status,
    eventId,
    error: errorText(result),
    retryable: false,
    authRefused: status === 401 || status === 403,
  };
}
