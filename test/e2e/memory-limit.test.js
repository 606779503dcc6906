// Under a container's memory limit (a cgroup, as a 256 MiB Kubernetes pod has), a run sizes its preparing
// threads from it and stays inside it: the kernel would kill it past the limit.
import assert from 'node:assert/strict';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { generate } from '../../bench/generate.js';
import { BIN, lineCount, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { memoryLimited } from '../helpers/cgroup.js';

const LIMIT = 256 * 2 ** 20;
const ROWS = 300_000;
const cgroup = memoryLimited(LIMIT);
/** Preloaded, it writes the resource limits of the threads the run starts (test/fixtures/startup/worker-limits.js). */
const PRELOAD = ['--import', join(ROOT, 'test', 'fixtures', 'startup', 'worker-limits.js')];

/** An endpoint that accepts every item of every batch, doing no more: the client's memory is what is measured. */
async function accepting() {
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const { items } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.end(JSON.stringify({ errorCount: 0, results: items.map((item) => ({ eventId: item.eventId, error: '' })) }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

test(`a run of ${ROWS.toLocaleString('en-US')} rows in a 256 MiB cgroup finishes inside the limit, with --rejects keeping every row's cells`, { skip: cgroup.reason ?? false, timeout: 300_000 }, async () => {
  const cwd = tempDir();
  const file = join(cwd, 'rows.csv');
  await generate(ROWS, createWriteStream(file));
  const server = await accepting();
  try {
    const env = { ...process.env, CI: 'true', WORKER_LIMITS_FILE: join(cwd, 'limits.json') };
    const result = await cgroup.run(process.execPath, [...PRELOAD, BIN, 'submit', '-e', server.url, '--rate', '0', '--rejects', 'rejects.csv', '--json', '--quiet', 'rows.csv'], { cwd, env });
    assert.equal(result.signal, null, `killed by ${result.signal}: past the memory limit`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).accepted, ROWS);
    assert.equal(lineCount(join(cwd, 'rows.csv.report.ndjson')), ROWS, 'every row reported');
    // The two preparing threads were sized from the limit: 8 MB young generations, old ones at 15 % of it.
    const limited = JSON.parse(readFileSync(env.WORKER_LIMITS_FILE, 'utf8'));
    assert.deepEqual(limited, [{ maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 38 }, { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 38 }]);
    // Without a limit, the same run gets the roomy plan.
    const roomy = await runCli([...['submit', '-e', server.url, '--rate', '0', '--force', '--quiet'], 'rows.csv'], { cwd, env, nodeArgs: PRELOAD });
    assert.equal(roomy.code, 0, roomy.stderr);
    assert.deepEqual(JSON.parse(readFileSync(env.WORKER_LIMITS_FILE, 'utf8')), [{ maxYoungGenerationSizeMb: 16 }, { maxYoungGenerationSizeMb: 16 }]);
  } finally {
    await server.close();
    cgroup.remove?.();
  }
});
