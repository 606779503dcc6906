// Runs the bulk-submit CLI in this process and, when it exits, writes its peak RSS (bytes) to the file
// named by BENCH_RSS_FILE: `node bench/measure.js submit …`. The CLI itself is unchanged.
import { writeFileSync } from 'node:fs';

process.argv.splice(1, 1, new URL('../bin/bulk-submit.js', import.meta.url).pathname);
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
await import('../dist/cli.js');
