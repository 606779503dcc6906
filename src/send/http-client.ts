import type { Dispatcher } from 'undici';
import { httpDispatcher, requestFailure } from '../util/dispatcher.js';

export interface ClientOptions {
  /** Base URL, e.g. `https://api.sandbox.asapp.com` (a path prefix is kept). */
  readonly endpoint: string;
  /** Headers sent on every request (credentials included). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most requests in flight; also the pool's connection count. */
  readonly concurrency: number;
  /** Per-request time limit in milliseconds, from sending to the last byte of the answer (a true limit: see post()). */
  readonly timeoutMs: number;
  /** Extra trusted CA certificates (PEM), for a private CA (`--ca`); NODE_EXTRA_CA_CERTS works too. */
  readonly ca?: string | undefined;
  /** Proxy settings, by default from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

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

/**
 * One keep-alive undici Pool to the endpoint's origin (or, when HTTPS_PROXY/HTTP_PROXY is set, undici's
 * EnvHttpProxyAgent, which honours NO_PROXY too). At most `concurrency` connections; the pipeline keeps
 * at most `concurrency` requests in flight, so none queue here.
 */
export class HttpClient {
  readonly #pool: Dispatcher;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions) {
    const url = new URL(options.endpoint);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
    this.#origin = url.origin;
    // At most `concurrency` connections; the pipeline keeps at most `concurrency` requests in flight, so none queue here.
    this.#pool = httpDispatcher({
      origin: url.origin,
      connectTimeoutMs: Math.min(options.timeoutMs, 10_000),
      ca: options.ca,
      env: options.env,
      pool: { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs },
    });
  }

  /**
   * POSTs a pre-serialised JSON body; never throws for network problems (they are results). --timeout
   * bounds the whole exchange, from sending to the answer's last byte: the pool's headersTimeout and
   * bodyTimeout bound only each wait between bytes, and an endpoint that drips its answer a byte at a
   * time would hold the request for ever. An AbortController and a timer per request, the timer cleared
   * as soon as the answer is read: not AbortSignal.timeout(), whose timer cannot be cleared and would
   * hold every request's signal for the whole timeout (hundreds of MB at thousands of requests a second).
   */
  async post(path: string, body: string | Uint8Array): Promise<HttpResult> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    try {
      const response = await this.#pool.request({ method: 'POST', origin: this.#origin, path: this.#prefix + path, headers: this.#headers, body, signal: deadline.signal });
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
      const failure = requestFailure(error);
      if (failure.tls) return { httpStatus: undefined, body: undefined, networkError: failure.text, retryAfterMs: undefined, tlsError: true };
      const code = (error as { code?: string }).code;
      const timedOut = deadline.signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
      return { httpStatus: undefined, body: undefined, networkError: timedOut ? `timed out after ${this.#timeoutMs}ms` : failure.text, retryAfterMs: undefined };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Ends every request in flight now (they fail with `reason`): the drain time is up. */
  async destroy(reason: string): Promise<void> {
    await this.#pool.destroy(new Error(reason));
  }
}
