import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { requestFailure } from '../util/dispatcher.js';
import { counted } from '../util/plural.js';

/** What one HTTP exchange produced, before deciding what it means for the row. */
export interface HttpResult {
  /** HTTP status; undefined when no answer came (network error, timeout). */
  readonly httpStatus: number | undefined;
  /** Parsed JSON body, or undefined when the body is empty, not JSON, or was cut off. */
  readonly body: unknown;
  /** A network-level failure, with undici's error code. */
  readonly networkError: string | undefined;
  /** The failure is a TLS certificate problem: retrying cannot help. */
  readonly tlsError?: boolean;
  /** Retry-After, in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  /** The answer's Content-Type (its media type, lower case), when it had one. */
  readonly contentType?: string | undefined;
  /** The answer's body as read (decoded when it came compressed), for quoting what came back; at most --max-answer-size bytes. */
  readonly raw?: Buffer | undefined;
  /** The answer was larger than --max-answer-size (or could not be decoded), so it was not read: why, in words. */
  readonly unread?: string | undefined;
  /** A 3xx answer's Location. */
  readonly location?: string | undefined;
  /** No connection could be made at all (refused, no such host, no route, connect timeout): the endpoint is not there. */
  readonly unreachable?: boolean;
}

/** Failures to connect at all, as undici and the OS name them. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Parses Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** A JSON media type: application/json, or any application/…+json. */
const JSON_TYPE = /^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/;

/**
 * What the answer's body says, when it is JSON; undefined when it is empty or not JSON. A body whose
 * Content-Type names something else (text/html) is not parsed: it is not the API's answer whatever it
 * holds. One with no Content-Type at all is read, and judged by what it holds.
 */
function jsonOf(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0 || (contentType !== undefined && !JSON_TYPE.test(contentType))) return undefined;
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Decodes a compressed answer within the bound: zlib's `maxOutputLength` stops inflating as soon as the
 * output passes it (a gzip bomb costs at most the bound), and throws; so does a coding we do not know.
 */
function decoded(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer | string {
  const coding = encoding?.trim().toLowerCase();
  if (coding === undefined || coding === '' || coding === 'identity') return raw;
  const inflate = coding === 'gzip' || coding === 'x-gzip' ? gunzipSync : coding === 'deflate' ? inflateSync : coding === 'br' ? brotliDecompressSync : undefined;
  if (inflate === undefined) return `its Content-Encoding "${coding}" cannot be read`;
  try {
    return inflate(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return `answer larger than ${counted(maxBytes, 'byte')} once decompressed (${coding}); not read further`;
    return `its ${coding} body cannot be decompressed`;
  }
}

/**
 * One request's exchange, as undici's dispatch handler (its documented DispatchHandler API): the answer's
 * status, Retry-After and body collected as they come, settled once with an HttpResult, never rejected.
 * Written against dispatch() rather than request(): request() wraps every answer in a Readable and its
 * consumers, and takes its abort through a signal, which together cost more per request than the rest
 * of the sending; here the body is a few chunks in an array and the time limit a timer that calls the
 * controller's abort().
 *
 * --timeout bounds the whole exchange, from sending to the answer's last byte (the pool's headersTimeout
 * and bodyTimeout bound only each wait between bytes: an endpoint that drips its answer a byte at a time
 * would hold a request for ever). The timer is cleared as soon as the exchange settles.
 *
 * --max-answer-size bounds what is kept of an answer, before it is kept: a Content-Length over it, or
 * bytes past it as they arrive, end the request at once (an endless or enormous answer costs at most
 * the bound); a compressed answer is inflated within the same bound.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly #settle: (result: HttpResult) => void;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #timer: NodeJS.Timeout;
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  #timedOut = false;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #size = 0;
  #chunks: Buffer[] = [];

  constructor(timeoutMs: number, maxBytes: number, settle: (result: HttpResult) => void) {
    this.#timeoutMs = timeoutMs;
    this.#maxBytes = maxBytes;
    this.#settle = settle;
    this.#timer = setTimeout(() => this.#expire(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Timed out while it waited for a connection: it must not go out now.
    if (this.#timedOut) controller.abort(new Error(`timed out after ${this.#timeoutMs}ms`));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: informational, the answer is still to come
    this.#status = statusCode;
    this.#headers = headers;
    const length = Number(first(headers['content-length']));
    if (length > this.#maxBytes) this.#cut(controller, `answer larger than ${counted(this.#maxBytes, 'byte')} (Content-Length ${length}); not read`);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) this.#cut(controller, `answer larger than ${counted(this.#maxBytes, 'byte')}; not read further`);
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const chunks = this.#chunks;
    const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const contentType = this.#contentType();
    const body = decoded(raw, first(this.#headers['content-encoding']), this.#maxBytes);
    if (typeof body === 'string') return this.#done(this.#answer({ unread: body, contentType }));
    this.#done(this.#answer({ body: jsonOf(body, contentType), raw: body, contentType }));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const failure = requestFailure(error);
    if (failure.tls) return this.#done({ httpStatus: undefined, body: undefined, networkError: failure.text, retryAfterMs: undefined, tlsError: true });
    const code = (error as { code?: string }).code;
    const timedOut = this.#timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    const unreachable = [code, (error as { cause?: { code?: string } }).cause?.code].some((c) => c !== undefined && CONNECT_CODES.has(c));
    this.#done({ httpStatus: undefined, body: undefined, networkError: timedOut ? `timed out after ${this.#timeoutMs}ms` : failure.text, retryAfterMs: undefined, unreachable });
  }

  /** The answer so far, with what is read of its body. */
  #answer(read: { body?: unknown; raw?: Buffer; unread?: string; contentType: string | undefined }): HttpResult {
    const status = this.#status;
    return {
      httpStatus: status,
      body: read.body,
      networkError: undefined,
      retryAfterMs: parseRetryAfter(this.#headers['retry-after']),
      contentType: read.contentType,
      raw: read.raw,
      unread: read.unread,
      location: status >= 300 && status < 400 ? first(this.#headers['location']) : undefined,
    };
  }

  #contentType(): string | undefined {
    const type = first(this.#headers['content-type'])?.split(';')[0].trim().toLowerCase();
    return type === '' ? undefined : type;
  }

  /** Too large to read: settled now as such, and the rest of the answer is not waited for (the connection is closed). */
  #cut(controller: Dispatcher.DispatchController, why: string): void {
    this.#done(this.#answer({ unread: why, contentType: this.#contentType() }));
    controller.abort(new Error(why));
  }

  /** The time is up: the request is aborted (its error then settles it), or settled now if it never started. */
  #expire(): void {
    this.#timedOut = true;
    if (this.#controller) this.#controller.abort(new Error(`timed out after ${this.#timeoutMs}ms`));
    else this.#done({ httpStatus: undefined, body: undefined, networkError: `timed out after ${this.#timeoutMs}ms`, retryAfterMs: undefined });
  }

  #done(result: HttpResult): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#chunks = [];
    this.#settle(result);
  }
}
