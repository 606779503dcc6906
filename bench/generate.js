// Generates realistic conversation rows as CSV: `node bench/generate.js N > file.csv`.
// Deterministic (seeded), so every run of the benchmark reads the same bytes.
import { createWriteStream } from 'node:fs';

const HEADER = [
  'External Conversation ID', 'LOB ID', 'LOB Name', 'Group ID', 'Group Name', 'Agent Routing Code', 'Campaign',
  'Device Type', 'Platform', 'Company Segment', 'Company Subdivision', 'Business Rule', 'Entry Type',
  'Operating System', 'Browser Type', 'Browser Version', 'attr.channel', 'attr.priority',
];
const DEVICES = ['TABLET', 'PHONE', 'DESKTOP', 'WATCH', 'OTHER'];
const PLATFORMS = ['SMS', 'WEB', 'IOS', 'ANDROID', 'APP', 'VOICE'];
const OSES = ['MAC_OS', 'LINUX', 'WINDOWS', 'ANDROID', 'IOS', 'OTHER'];
const SEGMENTS = ['Sales;Marketing', 'Support', 'Sales;Support;Retention', 'Billing'];
const RULES = ["Apply customer's discount", 'Escalate, then refund the fee', 'Route to "gold" desk', 'Standard handling'];

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quote(cell) {
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Writes N rows to `stream`, respecting backpressure; resolves when done. */
export async function generate(n, stream, seed = 42) {
  const random = mulberry32(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  stream.write(`${HEADER.join(',')}\n`);
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    const row = [
      `conv-${String(i).padStart(9, '0')}`, `lob-${i % 17}`, pick(['Retail Banking', 'Retail, Small Business', 'Cards']),
      `grp-${i % 31}`, pick(['Cards Team', 'Loans, Mortgages', 'Collections']), `route-${i % 97}`, `campaign-${i % 5}`,
      pick(DEVICES), pick(PLATFORMS), pick(SEGMENTS), 'Consumer', pick(RULES), pick(['reactive', 'proactive']),
      pick(OSES), pick(['Safari', 'Chrome', 'Firefox']), `${1 + (i % 120)}.0.${i % 10}`, pick(['chat', 'voice', 'web']),
      i % 3 === 0 ? '' : pick(['high', 'low']),
    ];
    chunk += `${row.map(quote).join(',')}\n`;
    if (chunk.length > 65536) {
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
      chunk = '';
    }
  }
  stream.write(chunk);
  await new Promise((resolve) => stream.end(resolve));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(Number(process.argv[2] ?? 200_000), process.argv[3] ? createWriteStream(process.argv[3]) : process.stdout);
}
