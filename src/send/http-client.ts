import type { Dispatcher } from 'undici';
import { httpDispatcher } from '../util/dispatcher.js';
import { Exchange } from './exchange.js';
import type { HttpResult } from './exchange.js';

export { parseRetryAfter } from './exchange.js';
export type { HttpResult } from './exchange.js';

export interface ClientOptions {
  /** Base URL, e.g. `https://api.sandbox.asapp.com` (a path prefix is kept). */
  readonly endpoint: string;
  /** Headers sent on every request (credentials included). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most requests in flight; also the pool's connection count. */
  readonly concurrency: number;
  /** Per-request time limit in milliseconds, from sending to the last byte of the answer (a true limit: see exchange.ts). */
  readonly timeoutMs: number;
  /** The most bytes of an answer read (and inflated); past it the request is cut (exchange.ts). */
  readonly maxAnswerBytes: number;
  /** Extra trusted CA certificates (PEM), for a private CA (`--ca`); NODE_EXTRA_CA_CERTS works too. */
  readonly ca?: string | undefined;
  /** Proxy settings, by default from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
  readonly env?: NodeJS.ProcessEnv | undefined;
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
  readonly #maxAnswerBytes: number;

  constructor(options: ClientOptions) {
    const url = new URL(options.endpoint);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#maxAnswerBytes = options.maxAnswerBytes;
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

  /** POSTs a pre-serialised JSON body within --timeout and --max-answer-size (exchange.ts); never throws for network problems (they are results). */
  post(path: string, body: string | Uint8Array): Promise<HttpResult> {
    return new Promise((resolve) => {
      this.#pool.dispatch({ method: 'POST', origin: this.#origin, path: this.#prefix + path, headers: this.#headers, body }, new Exchange(this.#timeoutMs, this.#maxAnswerBytes, resolve));
    });
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Ends every request in flight now (they fail with `reason`): the drain time is up. */
  async destroy(reason: string): Promise<void> {
    await this.#pool.destroy(new Error(reason));
  }
}
