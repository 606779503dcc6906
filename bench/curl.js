// curl --parallel, the reference a whole command is held to: the same POSTs as bench/ceiling.js, from a
// curl config file (one entry a request). `writeCurlConfig(file, url, rows)` writes it; the bench runs
// `curl --parallel --parallel-max 32 --config FILE` under GNU time. Skipped when curl is not installed.
import { existsSync, writeFileSync } from 'node:fs';
import { bodies } from './bodies.js';

export const CURL = '/usr/bin/curl';

export function haveCurl() {
  return existsSync(CURL);
}

/** A curl config file of `rows` POSTs of the bench's bodies to `url`'s single-record path, answers discarded. */
export function writeCurlConfig(file, url, rows) {
  const target = `${new URL(url).origin}/metadata-ingestion/v1/single-convo-metadata`;
  const entries = [];
  for (let i = 0; i < rows; i++) {
    const body = bodies[i % bodies.length].replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    entries.push(`url = "${target}"\nheader = "content-type: application/json"\ndata-raw = "${body}"\noutput = "/dev/null"\n`);
  }
  writeFileSync(file, entries.join('next\n'));
}
