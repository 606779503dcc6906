import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BulkError } from '../errors.js';
import { resolveOptions } from '../options/index.js';
import type { LibraryOptions } from '../options/index.js';
import { KIND_NAMES } from '../kinds.js';
import type { Kind } from '../kinds.js';
import { loadSchema, validatorFor } from '../schema/index.js';
import type { RecordValidator } from '../schema/index.js';
import { Capacity, Faults } from './faults.js';
import type { FaultCounts } from './faults.js';
import { HttpFailure, ROUTES, readBody, send } from './routes.js';
import { Ingest } from './ingest.js';
import type { IngestCounts } from './ingest.js';
import { RecordStore } from './store.js';

/**
 * What serve() takes: the serve command's options (src/options/table.ts) under their long names in
 * camelCase: `port`, `host`, `store`, `apiId` and `apiSecret` (when both are set, requests must carry
 * them as `asapp-api-id` / `asapp-api-secret`), and the failures to inject (faults.ts).
 */
export type ServeOptions = LibraryOptions<'serve'> & {
  /** Largest request body accepted before answering 413 (default 16 MiB). */
  readonly maxBodyBytes?: number | undefined;
};

export interface ServerCounts extends IngestCounts {
  requests: number;
  byStatus: Record<string, number>;
  /** Injected failures, by kind. */
  faults: FaultCounts;
}

export interface RunningServer {
  /** Base URL to pass as --endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly counts: ServerCounts;
  /** Stops accepting, finishes open requests, flushes the store. */
  close(): Promise<ServerCounts>;
}

/**
 * `bulk-submit serve`: a real local implementation of the Metadata Ingestion API contract for all three
 * kinds, single and many endpoints, validating with the same schemas the client uses.
 */
export async function startServer(given: ServeOptions = {}): Promise<RunningServer> {
  const options = { ...resolveOptions('serve', given, ['maxBodyBytes']), maxBodyBytes: given.maxBodyBytes };
  const validators = new Map<Kind, RecordValidator>();
  for (const kind of KIND_NAMES) validators.set(kind, await validatorFor(await loadSchema({ kind })));
  const store = await RecordStore.open(options.store);
  const faults = new Faults(options);
  const counts: ServerCounts = { requests: 0, stored: 0, invalid: 0, duplicates: 0, byStatus: {}, faults: faults.counts };
  const handle = handler(options, new Ingest(validators, store, counts), faults, counts);
  let closing = false;
  const server: Server = createServer((request, response) => {
    counts.requests++;
    // Once stopping, every answer closes its connection: a client that keeps a keep-alive connection
    // busy would otherwise be served on it for ever, and the server would never stop.
    if (closing) response.setHeader('connection', 'close');
    handle(request, response)
      .then((status) => {
        const key = status === 0 ? 'dropped' : String(status);
        counts.byStatus[key] = (counts.byStatus[key] ?? 0) + 1;
      })
      .catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { error: { requestId: randomUUID(), code: '500-01', message: String(error) } });
        counts.byStatus['500'] = (counts.byStatus['500'] ?? 0) + 1;
      });
  });
  server.keepAliveTimeout = 60_000;
  const address = await listen(server, options.port, options.host);
  const outage = options.outage ? scheduleOutage(server, address, options.outage) : undefined;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    counts,
    async close(): Promise<ServerCounts> {
      closing = true;
      if (outage?.stop() ?? true) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
      }
      store.close();
      return counts;
    },
  };
}

/** --html-rate: what a captive portal or a misconfigured proxy answers in the API's place (a 200, nothing stored). */
const SIGN_IN_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><form method="post" action="/login"><input name="user"><button>Sign in</button></form></body></html>\n';

/** The request handler: routes, keys, body, injected faults, then the API's answer. Resolves the status sent (0: dropped). */
function handler(options: ServeOptions, ingest: Ingest, faults: Faults, counts: ServerCounts): (request: IncomingMessage, response: ServerResponse) => Promise<number> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const auth = options.apiId !== undefined && options.apiSecret !== undefined;
  const capacity = options.capacity === undefined ? undefined : new Capacity(options.capacity);
  return async (request, response) => {
    const requestId = randomUUID();
    const fail = (status: number, code: string, message: string): number => {
      send(response, status, { error: { requestId, code, message } });
      return status;
    };
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && (path === '/health' || path === '/')) {
      send(response, 200, { status: 'ok', stored: counts.stored });
      return 200;
    }
    const route = ROUTES.get(path);
    if (!route) return fail(404, '404-01', `no such endpoint: ${request.method} ${path}`);
    if (request.method !== 'POST') return fail(405, '405-01', `use POST for ${path}`);
    if (auth && (request.headers['asapp-api-id'] !== options.apiId || request.headers['asapp-api-secret'] !== options.apiSecret)) {
      request.resume();
      return fail(401, '401-01', 'missing or wrong asapp-api-id / asapp-api-secret');
    }
    let text: string;
    try {
      text = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof HttpFailure) return fail(error.status, error.code, error.message);
      throw error;
    }
    const verdict = faults.judge();
    switch (verdict.kind) {
      case 'throttle':
        response.setHeader('retry-after', String(verdict.retryAfterSeconds));
        return fail(429, verdict.code, verdict.code === '429-02' ? 'daily quota exceeded' : 'too many requests');
      case 'drop':
        request.socket.destroy();
        return 0;
      case 'fail':
        return fail(503, '503-01', 'service unavailable (injected)');
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(SIGN_IN_PAGE) });
        response.end(SIGN_IN_PAGE);
        return 200;
      case 'process':
        break;
    }
    const free = capacity ? await capacity.take() : undefined;
    try {
      if (verdict.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
      if (verdict.failAfterStoring) {
        // The classic duplicate trap: the records are stored, the answer says otherwise.
        ingest.answer(route, text);
        return fail(500, '500-02', 'internal error after storing (injected)');
      }
      const { status, body } = ingest.answer(route, text);
      send(response, status, body);
      return status;
    } finally {
      free?.();
    }
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new BulkError('BULK_SERVER', `cannot listen on ${host}:${port} (${error.code ?? error.message})`)));
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/**
 * --outage AFTER:DURATION: stop listening (connections are refused by the OS) and drop open ones, then
 * listen again on the same port. `stop()` cancels what is pending; it says whether the server listens.
 */
function scheduleOutage(server: Server, address: AddressInfo, outage: { afterMs: number; durationMs: number }): { stop(): boolean } {
  const timers: NodeJS.Timeout[] = [];
  let listening = true;
  timers.push(
    setTimeout(() => {
      listening = false;
      server.close();
      server.closeAllConnections();
      // Listening again may fail for a moment (another process took the port meanwhile): try again until it works,
      // rather than leave an 'error' nobody listens for, which would end serve.
      const relisten = (): void => {
        const retry = (): void => void timers.push(setTimeout(relisten, 100));
        server.once('error', retry);
        server.listen(address.port, address.address, () => {
          server.off('error', retry);
          listening = true;
        });
      };
      timers.push(setTimeout(relisten, outage.durationMs));
    }, outage.afterMs),
  );
  return {
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      return listening;
    },
  };
}
