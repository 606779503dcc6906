// A tiny HTTP server on 127.0.0.1 that answers from a script, for the responses `serve` never gives
// (200 with an error, the seed's flat shape, 500s, slow answers) and records every request it gets.
import { createServer } from 'node:http';

/**
 * respond(request, index) → { status, body, headers?, delayMs? } | Promise of it.
 * Resolves { url, requests: [{method, url, headers, body, at (performance.now() when it came)}], maxInFlight, close() }.
 */
export function startScripted(respond) {
  const state = { requests: [], inFlight: 0, maxInFlight: 0 };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', async () => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const index = state.requests.length;
      const entry = { method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
      state.requests.push(entry);
      const answer = await respond(entry, index);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(text);
      state.inFlight--;
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        get requests() {
          return state.requests;
        },
        get maxInFlight() {
          return state.maxInFlight;
        },
        close: () => new Promise((done) => {
          server.close(done);
          server.closeAllConnections();
        }),
      });
    });
  });
}

/** The documented success answer: for a single record, or for each item of a many-* request. */
export function ok(request) {
  const body = JSON.parse(request.body);
  if (Array.isArray(body.items)) return { status: 200, body: { errorCount: 0, results: body.items.map((item) => ({ eventId: item.eventId, error: '' })) } };
  return { status: 200, body: { result: { eventId: body.eventId ?? 'service-made', error: '' } } };
}

/** Runs `fn(server)` against a scripted server (startScripted's), which is closed whatever `fn` does. */
export async function withScripted(respond, fn) {
  const server = await startScripted(respond);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}
