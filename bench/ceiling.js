// The ceiling: a bare undici loop POSTing pre-serialised bodies at a fixed concurrency, with nothing
// else to do. `node bench/ceiling.js URL ROWS CONCURRENCY` prints {"rows", "ms"}.
import { Pool } from 'undici';

const [url, rowsText, concurrencyText] = process.argv.slice(2);
const rows = Number(rowsText);
const concurrency = Number(concurrencyText);
const DEVICES = ['TABLET', 'PHONE', 'DESKTOP', 'WATCH', 'OTHER'];
const bodies = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({
    eventId: `bs-${i.toString(16).padStart(40, '0')}`,
    externalConversationId: `conv-${String(i).padStart(9, '0')}`,
    lobId: `lob-${i % 17}`,
    lobName: 'Retail, Small Business',
    groupId: `grp-${i % 31}`,
    groupName: 'Cards Team',
    agentRoutingCode: `route-${i % 97}`,
    campaign: `campaign-${i % 5}`,
    deviceType: DEVICES[i % 5],
    platform: 'WEB',
    companySegment: ['Sales', 'Marketing'],
    companySubdivision: 'Consumer',
    businessRule: "Apply customer's discount",
    entryType: 'reactive',
    operatingSystem: 'MAC_OS',
    browserType: 'Safari',
    browserVersion: `${1 + (i % 120)}.0.${i % 10}`,
    attributes: [{ name: 'channel', value: 'chat' }, { name: 'priority', value: 'high' }],
  }),
);
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
