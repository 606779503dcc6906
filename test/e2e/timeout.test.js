// --timeout is a limit on the whole request, from sending it to the answer's last byte: an endpoint that
// answers its headers at once and then drips its body never keeps a request past it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNdjson, runCli, tempDir } from '../helpers/cli.js';

/** An endpoint that sends 200 and its headers at once, then one byte of its answer every `everyMs`. */
async function dripping(everyMs) {
  const seen = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(Date.now());
      const answer = Buffer.from(JSON.stringify({ result: { eventId: 'x', error: '' } }));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      response.flushHeaders();
      let at = 0;
      const timer = setInterval(() => response.write(answer.subarray(at, ++at)), everyMs);
      // The client gave up (or the server closes): stop dripping.
      response.on('close', () => clearInterval(timer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

test('--timeout bounds the whole exchange: a body dripped a byte at a time is cut off, counted as a timeout and retried', async () => {
  // Each byte comes well within the timeout, so only a limit on the whole request can end it: the answer
  // would take 50 bytes × 300 ms = 15 s.
  const server = await dripping(300);
  try {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'in.ndjson'), '{"externalConversationId":"drip-1"}\n');
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', '--timeout', '1s', '--retries', '1', '--rate', '0', 'in.ndjson'], { cwd, timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stderr);
    const [line] = readNdjson(join(cwd, 'in.ndjson.report.ndjson'));
    assert.equal(line.status, 'failed');
    assert.equal(line.error, 'timed out after 1000ms');
    assert.equal(line.attempts, 2, 'a timeout is retried like one');
    assert.equal(server.seen.length, 2, 'the endpoint saw the first try and the retry');
    assert.match(result.stderr, /answers\s+network 2/);
  } finally {
    await server.close();
  }
});
