// The parser's own limit: csv-parse over the file with the options bulk-submit uses, doing nothing
// with the records. `node bench/csv-parse-alone.js FILE` prints {"rows", "ms"}.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const started = performance.now();
let rows = -1; // the header
const parser = createReadStream(process.argv[2], { highWaterMark: 256 * 1024 }).pipe(
  parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'], trim: true }),
);
for await (const record of parser) if (record) rows++;
process.stdout.write(`${JSON.stringify({ rows, ms: performance.now() - started })}\n`);
