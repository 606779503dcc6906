import { setFlagsFromString } from 'node:v8';
import { EnvHttpProxyAgent, Pool } from 'undici';
import type { Dispatcher } from 'undici';

// undici parses answers with llhttp, compiled to WebAssembly. V8 starts it in its baseline compiler and
// recompiles it with its optimising one once it has run a "budget" of code, which llhttp's main loop
// spends on the very first answer: a ~130 ms background compile that a short run (a cron job's
// thousand rows, a test) then waits for at exit, for no gain. A larger budget (this module is the
// only WebAssembly we run, and it is not compiled yet) leaves short runs on the baseline code and still
// optimises llhttp in a long run, after a few thousand answers.
setFlagsFromString('--wasm-tiering-budget=100000000');

export interface ClientOptions {
  /** Base URL, e.g. `https://api.sandbox.asapp.com` (a path prefix is kept). */
  readonly endpoint: string;
  /** Headers sent on every request (credentials included). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most requests in flight; also the pool's connection count. */
  readonly concurrency: number;
  /** Per-request time limit in milliseconds, from sending to the last byte of the answer. */
  readonly timeoutMs: number;
  /** Extra trusted CA certificates (PEM), for a private CA (`--ca`); NODE_EXTRA_CA_CERTS works too. */
  readonly ca?: string | undefined;
  /** Proxy settings, by default from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Certificate problems: no retry will help, so the run stops with one clear line. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function proxyFrom(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => Boolean(env[name]));
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
    const connect = { timeout: Math.min(options.timeoutMs, 10_000), ...(options.ca === undefined ? {} : { ca: options.ca }) };
    const common = {
      connections: options.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    };
    const env = options.env ?? process.env;
    this.#pool = proxyFrom(env)
      ? new EnvHttpProxyAgent({
          ...common,
          connect,
          requestTls: connect,
          httpProxy: env['HTTP_PROXY'] ?? env['http_proxy'],
          httpsProxy: env['HTTPS_PROXY'] ?? env['https_proxy'] ?? env['HTTP_PROXY'] ?? env['http_proxy'],
          noProxy: env['NO_PROXY'] ?? env['no_proxy'],
          // A plain http:// endpoint goes through the proxy as an absolute-form request (POST http://host/…),
          // as curl, Python and Go send it: the usual forward proxy forwards that and refuses CONNECT for
          // plain http. https:// endpoints still tunnel with CONNECT (undici applies this to http only).
          proxyTunnel: false,
        })
      : new Pool(url.origin, { ...common, connect });
  }

  /** POSTs a pre-serialised JSON body; never throws for network problems (they are results). */
  async post(path: string, body: string | Uint8Array): Promise<HttpResult> {
    try {
      const response = await this.#pool.request({
        method: 'POST',
        origin: this.#origin,
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
      const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
      const tlsCode = [err.code, err.cause?.code].find((code) => code !== undefined && TLS_CODES.has(code));
      if (tlsCode !== undefined) {
        const message = err.cause?.code === tlsCode ? (err.cause.message ?? err.message) : err.message;
        return {
          httpStatus: undefined,
          body: undefined,
          networkError: `TLS: ${message} (${tlsCode}); if the endpoint uses a private CA, pass --ca FILE or set NODE_EXTRA_CA_CERTS`,
          retryAfterMs: undefined,
          tlsError: true,
        };
      }
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

  /** Ends every request in flight now (they fail with `reason`): the drain time is up. */
  async destroy(reason: string): Promise<void> {
    await this.#pool.destroy(new Error(reason));
  }
}
