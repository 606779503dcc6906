import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface ClientOptions {
  /** Base URL, e.g. `https://api.sandbox.asapp.com` (a path prefix is kept). */
  readonly endpoint: string;
  /** Headers sent on every request (credentials included). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most requests in flight; also the pool's connection count. */
  readonly concurrency: number;
  /** Per-request time limit in milliseconds, from sending to the last byte of the answer. */
  readonly timeoutMs: number;
}

/** What one HTTP exchange produced, before deciding what it means for the row. */
export interface HttpResult {
  /** HTTP status; undefined when no answer came (network error, timeout). */
  readonly httpStatus: number | undefined;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
  /** A network-level failure, with undici's error code. */
  readonly networkError: string | undefined;
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

/**
 * One keep-alive undici Pool to the endpoint's origin. The pool holds at most `concurrency`
 * connections; the pipeline keeps at most `concurrency` requests in flight, so none queue here.
 */
export class HttpClient {
  readonly #pool: Dispatcher;
  readonly #prefix: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  requests = 0;

  constructor(options: ClientOptions) {
    const url = new URL(options.endpoint);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
    this.#pool = new Pool(url.origin, {
      connections: options.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  /** POSTs a pre-serialised JSON body; never throws for network problems (they are results). */
  async post(path: string, body: string): Promise<HttpResult> {
    this.requests++;
    try {
      const response = await this.#pool.request({
        method: 'POST',
        path: this.#prefix + path,
        headers: this.#headers,
        body,
        // headersTimeout and bodyTimeout (set on the pool) bound the wait for the answer and for each
        // chunk of it. No AbortSignal.timeout() per request: each one keeps a timer alive for the whole
        // timeout, which at thousands of requests a second holds hundreds of MB.
      });
      const text = await response.body.text();
      let parsed: unknown;
      if (text.trim() !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      return {
        httpStatus: response.statusCode,
        body: parsed,
        networkError: undefined,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      };
    } catch (error) {
      const err = error as Error & { code?: string };
      const reason =
        err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT'
          ? `timed out after ${this.#timeoutMs}ms`
          : `${err.message}${err.code ? ` (${err.code})` : ''}`;
      return { httpStatus: undefined, body: undefined, networkError: reason, retryAfterMs: undefined };
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
