// Networks as companies have them: a proxy from the environment, TLS errors as one clear line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { SAMPLES, readNdjson, runCli, tempDir } from '../helpers/cli.js';
import { startProxy } from '../helpers/proxy.js';
import { ok, startScripted } from '../helpers/scripted-server.js';

test('HTTP_PROXY with a plain http:// endpoint: absolute-form requests through a proxy that refuses CONNECT; NO_PROXY bypasses it', async () => {
  const server = await startScripted(ok);
  const proxy = await startProxy({ connect: false });
  try {
    const cwd = tempDir();
    const result = await runCli(['submit', '-e', server.url, '--batch-size', '1', join(SAMPLES, 'conversations.ndjson')], { cwd, env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: '', NO_PROXY: '' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.requests.length, 12);
    assert.equal(proxy.forwards, 12, 'every request went through the proxy, in absolute form');
    assert.equal(proxy.refused, 0, 'no CONNECT tried for plain http');
    const direct = await runCli(['submit', '-e', server.url, '--batch-size', '1', join(SAMPLES, 'conversations.ndjson'), '--force'], { cwd, env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(proxy.forwards, 12, 'NO_PROXY bypassed it');
    assert.equal(server.requests.length, 24);
  } finally {
    await proxy.close();
    await server.close();
  }
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
const needsOpenssl = { skip: haveOpenssl ? false : 'needs openssl to make a test certificate' };

/** An https server on 127.0.0.1 with a self-signed certificate (cert.pem in `dir`) that accepts every record. */
async function startHttps(dir) {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok({ body }).body));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

test('a certificate the client does not trust stops the run with one line; --ca fixes it', needsOpenssl, async () => {
  const dir = tempDir();
  const server = await startHttps(dir);
  try {
    writeFileSync(join(dir, 'in.ndjson'), '{"externalConversationId":"t-1"}\n{"externalConversationId":"t-2"}\n');
    const refused = await runCli(['submit', '-e', server.url, 'in.ndjson', '--concurrency', '1'], { cwd: dir });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /aborted: TLS: .*certificate.*pass --ca FILE or set NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
    const trusted = await runCli(['submit', '-e', server.url, 'in.ndjson', '--ca', join(dir, 'cert.pem'), '--force'], { cwd: dir });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(readNdjson(join(dir, 'in.ndjson.report.ndjson')).filter((l) => l.status === 'accepted').length, 2);
  } finally {
    server.close();
  }
});

test('HTTPS_PROXY with an https:// endpoint tunnels through CONNECT', needsOpenssl, async () => {
  const dir = tempDir();
  const server = await startHttps(dir);
  const proxy = await startProxy();
  try {
    writeFileSync(join(dir, 'in.ndjson'), '{"externalConversationId":"s-1"}\n{"externalConversationId":"s-2"}\n');
    const result = await runCli(['submit', '-e', server.url, 'in.ndjson', '--batch-size', '1', '--ca', join(dir, 'cert.pem')], { cwd: dir, env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: '', NO_PROXY: '' } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(proxy.connects > 0, 'tunnelled with CONNECT');
    assert.equal(proxy.forwards, 0, 'never sent in the clear to the proxy');
    assert.equal(readNdjson(join(dir, 'in.ndjson.report.ndjson')).filter((l) => l.status === 'accepted').length, 2);
  } finally {
    await proxy.close();
    server.close();
  }
});
