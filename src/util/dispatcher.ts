/**
 * undici dispatchers as bulk-submit makes them, for the API requests (send/http-client.ts) and for remote
 * inputs (input/http.ts) alike: one choice of proxy and trusted CAs for every request a run makes.
 */
import { Agent, EnvHttpProxyAgent, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { trustedContext } from './trust.js';

export interface DispatcherOptions {
  /** The one origin requests go to (a keep-alive Pool); none for requests anywhere (an Agent: a download that redirects). */
  readonly origin?: string | undefined;
  /** Connection time limit in milliseconds. */
  readonly connectTimeoutMs: number;
  /** Extra trusted CA certificates (PEM), for a private CA (`--ca`); NODE_EXTRA_CA_CERTS works too. */
  readonly ca?: string | undefined;
  /** Proxy settings, by default from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Pool settings: connections, keep-alive, header and body time limits. */
  readonly pool?: Pool.Options | undefined;
}

function proxyFrom(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => Boolean(env[name]));
}

/**
 * A dispatcher to `origin` (or anywhere), or, when HTTPS_PROXY/HTTP_PROXY is set, undici's
 * EnvHttpProxyAgent, which honours NO_PROXY too.
 */
export function httpDispatcher(options: DispatcherOptions): Dispatcher {
  const secureContext = trustedContext(options.ca);
  const connect = { timeout: options.connectTimeoutMs, ...(secureContext === undefined ? {} : { secureContext }) };
  const pool = options.pool ?? {};
  const env = options.env ?? process.env;
  if (proxyFrom(env)) {
    return new EnvHttpProxyAgent({
      ...pool,
      connect,
      requestTls: connect,
      httpProxy: env['HTTP_PROXY'] ?? env['http_proxy'],
      httpsProxy: env['HTTPS_PROXY'] ?? env['https_proxy'] ?? env['HTTP_PROXY'] ?? env['http_proxy'],
      noProxy: env['NO_PROXY'] ?? env['no_proxy'],
      // A plain http:// URL goes through the proxy as an absolute-form request (GET http://host/…), as
      // curl, Python and Go send it: the usual forward proxy forwards that and refuses CONNECT for plain
      // http. https:// URLs still tunnel with CONNECT (undici applies this to http only).
      proxyTunnel: false,
    });
  }
  return options.origin === undefined ? new Agent({ ...pool, connect }) : new Pool(options.origin, { ...pool, connect });
}

/** Certificate problems: no retry will help. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** OpenSSL's codes for a peer that answered something other than TLS: a plain-http port, most often. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

/**
 * A request's failure in one line: a certificate problem says how to trust a private CA, and a server
 * that does not speak TLS says so instead of OpenSSL's own text. Both are `tls`: no retry can help.
 */
export function requestFailure(error: unknown): { readonly text: string; readonly tls: boolean } {
  const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  const notTls = [err.code, err.cause?.code].find((code) => code !== undefined && NOT_TLS_CODES.has(code));
  if (notTls !== undefined) {
    return { text: `TLS: the server does not speak TLS on that port (${notTls}): is the URL http:// rather than https://, or the port another service's?`, tls: true };
  }
  const tlsCode = [err.code, err.cause?.code].find((code) => code !== undefined && TLS_CODES.has(code));
  if (tlsCode !== undefined) {
    const message = err.cause?.code === tlsCode ? (err.cause.message ?? err.message) : err.message;
    return { text: `TLS: ${message} (${tlsCode}); if the server uses a private CA, pass --ca FILE or set NODE_EXTRA_CA_CERTS`, tls: true };
  }
  return { text: `${err.message}${err.code ? ` (${err.code})` : ''}`, tls: false };
}
