// Endpoints with a shape of their own, for --concurrency auto (bench/adaptive.js): each answers the API's
// many-* shape, and is kept apart from the unit tests' model of an endpoint on purpose.
//   shed   150 ms a request, but 3 % of requests answered 503 at once (an endpoint that sheds load fast)
//   drift  latency that drifts from 20 ms up to 80 ms and back, over `period` seconds, whatever the load;
//          the drift starts over with each run (a request after a second without any)
//   knee   10 ms up to 8 requests in flight; each one past 8 adds 60 % of that to every request
// `node bench/endpoints.js MODE [period]` prints its URL; all traffic stays on 127.0.0.1.
import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'knee';
const period = Number(process.argv[3] ?? 20) * 1000;
let started = Date.now();
let lastRequest = 0;
let inFlight = 0;
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function delayFor() {
  if (mode === 'shed') return random() < 0.03 ? -1 : 150;
  if (mode === 'drift') {
    const phase = ((Date.now() - started) % period) / period;
    return 20 + 60 * (0.5 - 0.5 * Math.cos(2 * Math.PI * phase));
  }
  return 10 * (1 + 0.6 * Math.max(0, inFlight - 8));
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => {
    if (Date.now() - lastRequest > 1000) started = Date.now();
    lastRequest = Date.now();
    inFlight++;
    const delay = delayFor();
    const answer = () => {
      inFlight--;
      if (delay < 0) {
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"requestId":"r","code":"503-01","message":"shed"}}');
        return;
      }
      const sent = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify(
        Array.isArray(sent.items) ? { errorCount: 0, results: sent.items.map((item) => ({ eventId: item.eventId, error: '' })) } : { result: { eventId: sent.eventId, error: '' } },
      );
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    if (delay < 0) answer();
    else setTimeout(answer, delay);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
