import { counted } from '../util/plural.js';
import type { HttpResult } from './exchange.js';

/**
 * Which answers accept a row (--accept-answer): `api`, only the Metadata Ingestion API's documented
 * answers; `json`, for another JSON API (--path with --schema), any JSON 2xx without a non-blank `error`.
 */
export type AnswerRule = 'api' | 'json';

/** Where an answer came from, judged by its shape: the API (or, under `json`, a JSON API), something else, or nothing (no answer). */
export type Provenance = 'api' | 'foreign' | 'none';

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A string with more than whitespace in it. */
export const filled = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * The `{eventId, error}` of a single-record answer, when the body has that shape: the documented
 * `{"result": {…}}`, or the seed's flat `{…}`. It has that shape when it names a non-empty eventId (with
 * an `error` that is text, null or absent), or when it carries an error text; anything else is not it.
 */
export function singleResult(body: unknown): { readonly eventId: string | undefined; readonly error: string | undefined } | undefined {
  if (!isObject(body)) return undefined;
  const inner = isObject(body['result']) ? body['result'] : body;
  const eventId = inner['eventId'];
  const error = inner['error'];
  const named = typeof eventId === 'string' && eventId !== '' && (error === undefined || error === null || typeof error === 'string');
  if (!named && !filled(error)) return undefined;
  return { eventId: typeof eventId === 'string' && eventId !== '' ? eventId : undefined, error: filled(error) ? error : undefined };
}

/** A many-* answer: `{"errorCount": n, "results": [...]}` (errorCount may be left out, never of another type). */
export function manyResults(body: unknown): readonly unknown[] | undefined {
  if (!isObject(body) || !Array.isArray(body['results'])) return undefined;
  const count = body['errorCount'];
  return count === undefined || typeof count === 'number' ? body['results'] : undefined;
}

/** The API's error answer: `{"error": {"requestId", "code", "message"}}`. */
function isErrorAnswer(body: unknown): boolean {
  return isObject(body) && isObject(body['error']);
}

/**
 * Whether an answer is the API's own, for what was sent (`many`: a many-* request). The API answers
 * JSON, in the documented shapes (API.md "Responses"): a 2xx single answer names its eventId, a many
 * answer lists results, an error answer (4xx, 5xx) is `{"error": {…}}`, and a 400 may take either of
 * the first two. An empty body, HTML, invalid JSON, JSON of another shape or an answer too large to read
 * is not: it came from something in the way (a proxy, a sign-in page, another service). An answer to a
 * many-* request in the single shape counts only when it carries an error (all its items are refused):
 * no single answer can vouch for a thousand items.
 */
export function provenanceOf(result: HttpResult, many: boolean, rule: AnswerRule): Provenance {
  const status = result.httpStatus;
  if (status === undefined) return 'none';
  if (result.unread !== undefined) return 'foreign';
  const body = result.body;
  if (rule === 'json') return body !== undefined || (status === 204 && result.raw?.length === 0) ? 'api' : 'foreign';
  if (body === undefined) return 'foreign';
  const single = singleResult(body);
  // A many-* request answered in the single shape with an error: the whole request refused, in the API's words.
  const own = many ? manyResults(body) !== undefined || single?.error !== undefined : single !== undefined;
  if (status >= 200 && status < 300) return own ? 'api' : 'foreign';
  return own || isErrorAnswer(body) ? 'api' : 'foreign';
}

/** How much of a body a message quotes. */
const QUOTED_CHARS = 60;

/** What came back, for a message: `HTTP 200 text/html (61 bytes)`. */
export function answerLabel(result: HttpResult): string {
  const type = result.contentType ?? 'with no Content-Type';
  const size = result.unread === undefined ? ` (${counted(result.raw?.length ?? 0, 'byte')})` : '';
  return `HTTP ${result.httpStatus} ${type}${size}`;
}

/** The first bytes of a body, escaped as a JSON string (so a control byte or a newline stays on the line): `"<!doctype html>…"`. */
export function quoted(raw: Buffer | undefined): string {
  if (raw === undefined || raw.length === 0) return 'an empty body';
  const text = raw.subarray(0, QUOTED_CHARS * 4).toString('utf8');
  const cut = text.length > QUOTED_CHARS || raw.length > QUOTED_CHARS * 4;
  return `${JSON.stringify(text.slice(0, QUOTED_CHARS))}${cut ? '…' : ''}`;
}

/** Why an answer is not the API's, in one line: `HTTP 200 text/html (61 bytes) is not the API's answer: "<!doctype html>…"`. */
export function foreignText(result: HttpResult, rule: AnswerRule): string {
  if (result.unread !== undefined) return `${answerLabel(result)}: ${result.unread}`;
  return `${answerLabel(result)} is not ${rule === 'api' ? "the API's answer" : 'a JSON answer'}: ${quoted(result.raw)}`;
}
