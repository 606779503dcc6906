import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BulkError } from '../errors.js';
import { numberDefault, textDefault } from '../options.js';
import { KINDS, KIND_NAMES } from '../kinds.js';
import type { Kind } from '../kinds.js';
import { loadSchema, validatorFor } from '../schema/index.js';
import type { RecordValidator } from '../schema/index.js';
import { Faults } from './faults.js';
import type { FaultCounts, FaultOptions } from './faults.js';
import { RecordStore } from './store.js';

export interface ServeOptions {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** Append accepted records to this NDJSON file. */
  readonly store?: string | undefined;
  /** When both are set, requests must carry them as `asapp-api-id` / `asapp-api-secret`. */
  readonly apiId?: string | undefined;
  readonly apiSecret?: string | undefined;
  /** Largest request body accepted before answering 413 (default 16 MiB). */
  readonly maxBodyBytes?: number | undefined;
  /** Failures to inject (see faults.ts). */
  readonly faults?: FaultOptions | undefined;
}

export interface ServerCounts {
  requests: number;
  /** Records stored. */
  stored: number;
  /** Records refused as invalid. */
  invalid: number;
  /** Records answered 409 (single) or idempotent success (many) because their eventId was stored. */
  duplicates: number;
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

interface Route {
  readonly kind: Kind;
  readonly many: boolean;
}

const ROUTES = new Map<string, Route>();
for (const kind of KIND_NAMES) {
  ROUTES.set(KINDS[kind].single, { kind, many: false });
  ROUTES.set(KINDS[kind].many, { kind, many: true });
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpFailure(413, '413-01', `request body is larger than ${limit} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `bulk-submit serve`: a real local implementation of the Metadata Ingestion API contract for all three
 * kinds, single and many endpoints, validating with the same schemas the client uses.
 */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const validators = new Map<Kind, RecordValidator>();
  for (const kind of KIND_NAMES) validators.set(kind, await validatorFor(await loadSchema({ kind })));
  const store = await RecordStore.open(options.store);
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const faults = new Faults(options.faults ?? {});
  const counts: ServerCounts = { requests: 0, stored: 0, invalid: 0, duplicates: 0, byStatus: {}, faults: faults.counts };
  const auth = options.apiId !== undefined && options.apiSecret !== undefined;

  /** Validates and stores one record; returns the API's `{eventId, error}` and whether it was new. */
  const ingest = (kind: Kind, item: unknown): { eventId: string; error: string; duplicate: boolean } => {
    const validate = validators.get(kind)!;
    const given = isObject(item) && typeof item['eventId'] === 'string' ? item['eventId'] : undefined;
    const violations = validate(item);
    if (violations.length > 0) {
      counts.invalid++;
      return { eventId: given ?? '', error: `FAIL_BAD_PARAMS: ERROR: ${violations.join('; ')}`, duplicate: false };
    }
    const eventId = given ?? randomUUID();
    if (store.has(eventId)) {
      counts.duplicates++;
      return { eventId, error: '', duplicate: true };
    }
    store.add(kind, { ...(item as Record<string, unknown>), eventId });
    counts.stored++;
    return { eventId, error: '', duplicate: false };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
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
      case 'process':
        if (verdict.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
        if (verdict.failAfterStoring) {
          // The classic duplicate trap: the records are stored, the answer says otherwise.
          processBody(route, text);
          return fail(500, '500-02', 'internal error after storing (injected)');
        }
    }
    return answer(route, text, response);
  };

  /** Parses and ingests a body; returns the status and the JSON answer. */
  const processBody = (route: Route, text: string): { status: number; body: unknown } => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (!route.many) return { status: 400, body: { result: { eventId: '', error: `FAIL_BAD_PARAMS: ERROR: body is not valid JSON` } } };
      return { status: 400, body: { error: { requestId: randomUUID(), code: '400-01', message: 'body is not valid JSON' } } };
    }
    if (!route.many) {
      const result = ingest(route.kind, body);
      if (result.duplicate) {
        return { status: 409, body: { error: { requestId: randomUUID(), code: '409-01', message: `entity with eventId ${result.eventId} already persisted` } } };
      }
      return { status: result.error === '' ? 200 : 400, body: { result: { eventId: result.eventId, error: result.error } } };
    }
    const items = isObject(body) ? body['items'] : undefined;
    if (!Array.isArray(items) || items.length < 1 || items.length > 1000) {
      return { status: 400, body: { error: { requestId: randomUUID(), code: '400-02', message: 'body must be {"items": [...]} with 1 to 1000 records' } } };
    }
    const results = items.map((item) => {
      const { eventId, error } = ingest(route.kind, item);
      return { eventId, error };
    });
    const errorCount = results.filter((r) => r.error !== '').length;
    return { status: errorCount < results.length ? 200 : 400, body: { errorCount, results } };
  };

  const answer = (route: Route, text: string, response: ServerResponse): number => {
    const { status, body } = processBody(route, text);
    send(response, status, body);
    return status;
  };

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

  const port = options.port ?? numberDefault('port');
  const host = options.host ?? textDefault('host');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new BulkError('BULK_SERVER', `cannot listen on ${host}:${port} (${error.code ?? error.message})`)),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  // --outage AFTER:DURATION: stop listening (connections are refused by the OS) and drop open ones,
  // then listen again on the same port.
  const timers: NodeJS.Timeout[] = [];
  let listening = true;
  const outage = options.faults?.outage;
  if (outage) {
    timers.push(
      setTimeout(() => {
        listening = false;
        server.close();
        server.closeAllConnections();
        timers.push(
          setTimeout(() => {
            server.listen(address.port, address.address, () => (listening = true));
          }, outage.durationMs),
        );
      }, outage.afterMs),
    );
  }

  return {
    url: `http://${shownHost}:${address.port}`,
    counts,
    async close(): Promise<ServerCounts> {
      for (const timer of timers) clearTimeout(timer);
      closing = true;
      if (listening) {
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
