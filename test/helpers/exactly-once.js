// The exactly-once fixture shared by the fault tests: a 2000-row CSV with three invalid rows, and the check
// that every valid row is stored once and the report says so. `serve --store` is the truth.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNdjson, readStore } from './cli.js';

export const ROWS = 2000;
export const INVALID = new Set([137, 1024, 1999]);

export function writeRows(dir) {
  const lines = ['External Conversation ID,Platform,Company Segment,attr.n'];
  for (let i = 1; i <= ROWS; i++) lines.push(INVALID.has(i) ? `not valid ${i},WEB,Sales,${i}` : `f-${i},WEB,Sales;Support,${i}`);
  const file = join(dir, 'rows.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Every valid row stored once; a report line for every row; the report's accepted ids = the store's. */
export function assertExactlyOnce(dir, store, report = join(dir, 'rows.csv.report.ndjson')) {
  const stored = readStore(store).map((s) => s.record);
  const ids = stored.map((r) => r.eventId);
  assert.equal(new Set(ids).size, ids.length, 'no eventId stored twice');
  const conversations = stored.map((r) => r.externalConversationId);
  assert.equal(new Set(conversations).size, conversations.length, 'no row stored twice');
  assert.equal(conversations.length, ROWS - INVALID.size, 'every valid row stored');
  const lines = readNdjson(report);
  const latest = new Map();
  for (const line of lines) if (latest.get(line.row)?.status !== 'accepted') latest.set(line.row, line);
  assert.equal(latest.size, ROWS, 'a report line for every row');
  const accepted = [...latest.values()].filter((l) => l.status === 'accepted');
  assert.equal(accepted.length, ROWS - INVALID.size);
  assert.deepEqual(new Set(accepted.map((l) => l.eventId)), new Set(ids));
  for (const row of INVALID) assert.equal(latest.get(row).status, 'invalid');
}

