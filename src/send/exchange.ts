import type { Dispatcher } from 'undici';
import { requestFailure } from '../util/dispatcher.js';

/** What one HTTP exchange produced, before deciding what it means for the row. */
export interface HttpResult {
  /** HTTP status; undefined when no answer came (network error, timeout). */
  readonly httpStatus: number | undefined;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
  /** A network-level failure, with undici's error code. */
  readonly networkError: string | undefined;
  /** The failure is a TLS certificate problem: retrying cannot help. */
  readonly tlsError?: boolean;
  /** Retry-After, in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | undefined;
}

/** Parses Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What the answer's body says, when it is JSON; undefined when it is empty or not JSON. */
function jsonOf(chunks: readonly Buffer[]): unknown {
  if (chunks.length === 0) return undefined;
  const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
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
 */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly #settle: (result: HttpResult) => void;
  readonly #timeoutMs: number;
  readonly #timer: NodeJS.Timeout;
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  #timedOut = false;
  #status = 0;
  #retryAfter: string | string[] | undefined;
  #chunks: Buffer[] = [];

  constructor(timeoutMs: number, settle: (result: HttpResult) => void) {
    this.#timeoutMs = timeoutMs;
    this.#settle = settle;
    this.#timer = setTimeout(() => this.#expire(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Timed out while it waited for a connection: it must not go out now.
    if (this.#timedOut) controller.abort(new Error(`timed out after ${this.#timeoutMs}ms`));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: informational, the answer is still to come
    this.#status = statusCode;
    this.#retryAfter = headers['retry-after'];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#done({ httpStatus: this.#status, body: jsonOf(this.#chunks), networkError: undefined, retryAfterMs: parseRetryAfter(this.#retryAfter) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const failure = requestFailure(error);
    if (failure.tls) return this.#done({ httpStatus: undefined, body: undefined, networkError: failure.text, retryAfterMs: undefined, tlsError: true });
    const code = (error as { code?: string }).code;
    const timedOut = this.#timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    this.#done({ httpStatus: undefined, body: undefined, networkError: timedOut ? `timed out after ${this.#timeoutMs}ms` : failure.text, retryAfterMs: undefined });
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
