// The ceiling: a bare undici loop POSTing pre-serialised bodies at a fixed concurrency, with nothing
// else to do. `node bench/ceiling.js URL ROWS CONCURRENCY` prints {"rows", "ms"}.
import { Pool } from 'undici';
import { bodies } from './bodies.js';

const [url, rowsText, concurrencyText] = process.argv.slice(2);
const rows = Number(rowsText);
const concurrency = Number(concurrencyText);
const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1 });
const path = '/metadata-ingestion/v1/single-convo-metadata';
const headers = { 'content-type': 'application/json' };
let next = 0;
const started = performance.now();
async function worker() {
  while (next < rows) {
    const i = next++;
    const response = await pool.request({ method: 'POST', path, headers, body: bodies[i % bodies.length] });
    JSON.parse(await response.body.text());
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const ms = performance.now() - started;
await pool.close();
process.stdout.write(`${JSON.stringify({ rows, ms })}\n`);
