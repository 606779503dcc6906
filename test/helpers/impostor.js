// Endpoints on 127.0.0.1 that are not the Metadata Ingestion API: a sign-in page, an empty 200, JSON of
// another shape, broken JSON, a 404 for every path, a gzip bomb, an enormous or endless answer, a
// redirect to another host. Each records the requests it got (with their headers).
import { createServer } from 'node:http';
import { createGzip } from 'node:zlib';

const SIGN_IN = '<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>';

/** 512 MB of zeros, gzipped once for the whole test file (about half a megabyte). */
let bomb;
function gzipBomb() {
  bomb ??= new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const parts = [];
    gzip.on('data', (c) => parts.push(c));
    gzip.on('end', () => resolve(Buffer.concat(parts)));
    gzip.on('error', reject);
    const zeros = Buffer.alloc(1024 * 1024);
    let left = 512;
    const pump = () => {
      while (left > 0) {
        left--;
        if (!gzip.write(zeros)) return void gzip.once('drain', pump);
      }
      gzip.end();
    };
    pump();
  });
  return bomb;
}

/** Writes `chunk` over and over, as fast as the socket takes it, until `total` bytes (Infinity: until the client goes). */
function flood(response, total) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const pump = () => {
    while (sent < total && !response.destroyed) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!response.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void response.once('drain', pump);
    }
    if (sent >= total) response.end();
  };
  response.on('close', () => (sent = total));
  pump();
}

/** How each impostor answers: (request, response, other) where `other` is the URL of the redirect's target. */
const ANSWERS = {
  html: (_q, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SIGN_IN),
  empty: (_q, res) => res.writeHead(200, { 'content-length': '0' }).end(),
  'other-json': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
  'invalid-json': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result": {"eventId": "x", "error": "'),
  'not-found': (q, res) => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { requestId: 'r', code: '404-01', message: `no such endpoint: POST ${q.url}` } })),
  'gzip-bomb': async (_q, res) => {
    const body = await gzipBomb();
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
  },
  huge: (_q, res) => {
    const total = 300 * 1024 * 1024;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': total });
    flood(res, total);
  },
  endless: (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    flood(res, Infinity);
  },
  redirect: (q, res, other) => res.writeHead(307, { location: `${other}${q.url}`, 'content-type': 'text/html' }).end('<a href="elsewhere">moved</a>'),
};

export const IMPOSTORS = Object.keys(ANSWERS);

function listen(handler) {
  const requests = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url, headers: request.headers });
    request.resume();
    request.on('end', () => void handler(request, response));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(done);
          }),
      }),
    );
  });
}

/**
 * Starts the impostor `kind` (one of IMPOSTORS): { url, requests, elsewhere (the redirect's target, which
 * answers the API's way and records what reaches it), close() }.
 */
export async function startImpostor(kind) {
  const elsewhere = await listen((request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"eventId":"stolen","error":""}}'));
  const server = await listen((request, response) => ANSWERS[kind](request, response, elsewhere.url));
  return {
    url: server.url,
    requests: server.requests,
    elsewhere,
    close: async () => {
      await server.close();
      await elsewhere.close();
    },
  };
}
