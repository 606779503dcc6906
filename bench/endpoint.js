// A minimal local endpoint for the benchmark: answers every single-record POST with the documented
// success shape, and every many-* POST with one result per item. `node bench/endpoint.js [latencyMs]`
// prints its URL on stdout. It stores nothing: it measures the client, not a server.
import { createServer } from 'node:http';

const latency = Number(process.argv[2] ?? 0);
let counter = 0;

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let body;
    if (request.url.includes('/many-')) {
      const { items } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      body = JSON.stringify({ errorCount: 0, results: items.map((item) => ({ eventId: item.eventId ?? `gen-${++counter}`, error: '' })) });
    } else {
      body = `{"result":{"eventId":"gen-${++counter}","error":""}}`;
    }
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (latency > 0) setTimeout(answer, latency);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
