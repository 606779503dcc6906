// Remote inputs: http(s):// URLs against a node:http file server on 127.0.0.1, and s3:// against s3rver (a
// local S3-compatible server) on 127.0.0.1 with AWS_ENDPOINT_URL. Nothing leaves the machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { readNdjson, readStore, ROOT, runCli, SAMPLES, startServe, tempDir, withServe } from '../helpers/cli.js';
import { ROWS, assertExactlyOnce, writeRows } from '../helpers/exactly-once.js';
import { startFileServer } from '../helpers/file-server.js';
import { startProxy } from '../helpers/proxy.js';

/** No proxy from the test's own environment: every request goes straight to 127.0.0.1 unless a test says so. */
const DIRECT = { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', NO_PROXY: '', no_proxy: '' };

let files; // the folder the file server serves
let web; // the file server
let api; // `serve`, storing to `store`: for runs that must send nothing
let store;
before(async () => {
  files = tempDir();
  copyFileSync(join(SAMPLES, 'conversations.csv'), join(files, 'conversations.csv'));
  writeFileSync(join(files, 'conversations.csv.gz'), gzipSync(readFileSync(join(SAMPLES, 'conversations.csv'))));
  writeRows(files); // rows.csv: 2000 rows, three of them invalid
  web = await startFileServer(files);
  store = join(tempDir(), 'store.ndjson');
  api = await startServe(['--store', store]);
});
after(async () => {
  await web.close();
  await api.stop();
});

const stored = () => readStore(store).length;

/** Runs `fn(url, storeFile)` with a `serve` of its own, storing in `cwd`: its store holds that test's records alone. */
function withOwnServe(cwd, fn) {
  const own = join(cwd, 'store.ndjson');
  return withServe(['--store', own], (server) => fn(server.url, own));
}

describe('http:// inputs', () => {
  test('a CSV over http is streamed into serve: every row stored, the report names the URL with its credentials masked', async () => {
    const cwd = tempDir();
    const url = `http://reader:pa55word@${web.url.slice('http://'.length)}/conversations.csv?X-Amz-Signature=SIGNATURE-SECRET&part=1`;
    const result = await withOwnServe(cwd, async (endpoint, own) => {
      const run = await runCli(['submit', '-e', endpoint, '--json', url], { cwd, env: DIRECT });
      assert.equal(readStore(own).length, 30, 'every row stored');
      return run;
    });
    assert.equal(result.code, 0, result.stderr);
    const shown = `${web.url.replace('http://', 'http://***@')}/conversations.csv?X-Amz-Signature=***&part=1`;
    const report = readNdjson(join(cwd, 'conversations.csv.report.ndjson'));
    assert.equal(report.length, 30);
    for (const line of report) assert.equal(line.file, shown);
    assert.deepEqual(JSON.parse(result.stdout).files, [shown]);
    const everything = result.stdout + result.stderr + readFileSync(join(cwd, 'conversations.csv.report.ndjson'), 'utf8');
    for (const secret of ['pa55word', 'SIGNATURE-SECRET']) assert.equal(everything.includes(secret), false, `${secret} shown`);
    const got = web.requests.at(-1);
    assert.equal(got.headers.authorization, `Basic ${Buffer.from('reader:pa55word').toString('base64')}`, 'URL credentials sent as Basic auth');
  });

  test('gzip by the name (.csv.gz) and by the answer (Content-Encoding: gzip)', async () => {
    const cwd = tempDir();
    const result = await runCli(['validate', `${web.url}/conversations.csv.gz`, `${web.url}/gzip/conversations.csv`], { cwd, env: DIRECT });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /valid\s+60/);
    const report = readNdjson(join(cwd, 'conversations.csv.gz.validation.ndjson'));
    assert.equal(report.filter((l) => l.file === `${web.url}/gzip/conversations.csv`).length, 30);
    const asked = (path) => web.requests.findLast((r) => r.url === path).headers['accept-encoding'];
    assert.equal(asked('/conversations.csv.gz'), 'identity', 'a .gz file is not asked for compressed again');
    assert.equal(asked('/gzip/conversations.csv'), 'gzip');
  });

  test('the format comes from the URL\'s path (its query aside), or --format when the path does not tell', async () => {
    const cwd = tempDir();
    copyFileSync(join(SAMPLES, 'conversations.ndjson'), join(files, 'export'));
    const byPath = await runCli(['validate', `${web.url}/conversations.csv?format=ndjson&v=2`], { cwd, env: DIRECT });
    assert.equal(byPath.code, 0, byPath.stderr);
    const unknown = await runCli(['validate', `${web.url}/export`], { cwd, env: DIRECT });
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /\/export: cannot tell the format from the name: end the URL's path \(or the S3 key\) in \.csv, \.ndjson or \.jsonl \(optionally \.gz\), or pass --format\n$/);
    const told = await runCli(['validate', '--format', 'ndjson', '--report', 'export.ndjson', `${web.url}/export`], { cwd, env: DIRECT });
    assert.equal(told.code, 0, told.stderr);
    assert.equal(readNdjson(join(cwd, 'export.ndjson')).length, 12);
  });

  test('redirects are followed, five at most; a loop and a longer chain are refused before anything is read', async () => {
    const cwd = tempDir();
    const followed = await runCli(['validate', `${web.url}/redirect/3/conversations.csv`], { cwd, env: DIRECT });
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stderr, /valid\s+30/);
    const loop = await runCli(['validate', `${web.url}/loop/conversations.csv`], { cwd, env: DIRECT });
    assert.equal(loop.code, 2, loop.stderr);
    assert.equal(loop.stderr, `bulk-submit: error: ${web.url}/loop/conversations.csv: a redirect loop: the URL redirects back to itself\n`);
    const chain = await runCli(['validate', `${web.url}/redirect/9/conversations.csv`], { cwd, env: DIRECT });
    assert.equal(chain.code, 2, chain.stderr);
    assert.match(chain.stderr, /redirect\/9\/conversations\.csv: more than 5 redirects \(HTTP 302\)/);
  });

  test('a 404 is refused before anything is sent: exit 2, one line naming the input', async () => {
    const cwd = tempDir();
    const before = stored();
    const result = await runCli(['submit', '-e', api.url, `${web.url}/conversations.csv`, `${web.url}/nowhere.csv`], { cwd, env: DIRECT });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, `bulk-submit: error: ${web.url}/nowhere.csv: not found (HTTP 404)\n`);
    assert.equal(stored(), before, 'nothing sent');
    assert.equal(existsSync(join(cwd, 'conversations.csv.report.ndjson')), false);
  });

  test('a download cut midway: the rows before it are sent and reported, exit 3 naming the row; --resume then completes it, nothing stored twice', async () => {
    const cwd = tempDir();
    await withOwnServe(cwd, async (endpoint, own) => {
      const size = readFileSync(join(files, 'rows.csv')).length;
      const url = `${web.url}/cut/${Math.floor(size / 2)}/rows.csv`;
      web.cutting = true;
      const cut = await runCli(['submit', '-e', endpoint, url], { cwd, env: DIRECT });
      assert.equal(cut.code, 3, cut.stderr);
      const match = /aborted: (\S+): the input was cut at row (\d+): the download broke off \(.+\) after (\d+) whole rows.*run again with --resume/.exec(cut.stderr);
      assert.ok(match, cut.stderr);
      assert.equal(match[1], url);
      const at = Number(match[2]);
      assert.ok(at > 100 && at < ROWS, `cut at row ${at}`);
      assert.equal(Number(match[3]), at - 1);
      const first = readNdjson(join(cwd, 'rows.csv.report.ndjson'));
      assert.deepEqual(first.map((l) => l.row).sort((a, b) => a - b), Array.from({ length: at - 1 }, (_, i) => i + 1), 'every row before the cut reported, once');
      assert.equal(readStore(own).length, first.filter((l) => l.status === 'accepted').length);

      web.cutting = false;
      try {
        const resumed = await runCli(['submit', '-e', endpoint, '--resume', url], { cwd, env: DIRECT });
        assert.equal(resumed.code, 1, resumed.stderr); // three invalid rows
        assert.match(resumed.stderr, new RegExp(`skipped\\s+${first.filter((l) => l.status === 'accepted').length} `));
      } finally {
        web.cutting = true;
      }
      assertExactlyOnce(cwd, own);
    });
  });

  test('--shard 0/2 and 1/2 each stream the URL; together they send every row once', async () => {
    const cwd = tempDir();
    await withOwnServe(cwd, async (endpoint, own) => {
      const url = `${web.url}/rows.csv`;
      const shards = await Promise.all(['0/2', '1/2'].map((shard, i) => runCli(['submit', '-e', endpoint, '--shard', shard, '--report', `shard-${i}.ndjson`, url], { cwd, env: DIRECT })));
      for (const result of shards) assert.equal(result.code, 1, result.stderr); // each has invalid rows
      const rows = ['shard-0.ndjson', 'shard-1.ndjson'].flatMap((name) => readNdjson(join(cwd, name)).map((l) => l.row));
      assert.deepEqual(rows.sort((a, b) => a - b), Array.from({ length: ROWS }, (_, i) => i + 1), 'every row in one report, once');
      const ids = readStore(own).map((s) => s.record.externalConversationId);
      assert.equal(ids.length, ROWS - 3);
      assert.equal(new Set(ids).size, ids.length, 'nothing stored twice');
    });
  });

  test('the download goes through HTTP_PROXY (absolute form), as the API requests do', async () => {
    const proxy = await startProxy({ connect: false });
    try {
      const before = web.requests.length;
      const result = await runCli(['validate', `${web.url}/conversations.csv`], { cwd: tempDir(), env: { ...DIRECT, HTTP_PROXY: proxy.url } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(proxy.forwards, 1, 'went through the proxy');
      assert.equal(web.requests.length, before + 1);
    } finally {
      await proxy.close();
    }
  });
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

/** An https file server on 127.0.0.1 with a new self-signed certificate (`cert` is its PEM file). */
async function startHttpsFiles(dir, name) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const data = readFileSync(join(SAMPLES, 'conversations.csv'));
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => res.writeHead(200, { 'content-length': data.length }).end(data));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${server.address().port}/conversations.csv`, cert, close: () => (server.close(), server.closeAllConnections()) };
}

test('https:// inputs trust what the API requests trust: --ca adds a private CA to the default ones (NODE_EXTRA_CA_CERTS included)', { skip: haveOpenssl ? false : 'needs openssl' }, async () => {
  const dir = tempDir();
  const [a, b] = [await startHttpsFiles(dir, 'a'), await startHttpsFiles(dir, 'b')];
  try {
    const untrusted = await runCli(['validate', b.url], { cwd: dir, env: DIRECT });
    assert.equal(untrusted.code, 2, untrusted.stderr);
    assert.match(untrusted.stderr, /cannot download it: TLS: .*certificate.*pass --ca FILE or set NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(untrusted.stderr, /\n\s+at /, 'no stack trace');
    // a is trusted through NODE_EXTRA_CA_CERTS, b through --ca: one run reads both.
    const both = await runCli(['validate', '--ca', b.cert, '--force', a.url, b.url], { cwd: dir, env: { ...DIRECT, NODE_EXTRA_CA_CERTS: a.cert } });
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stderr, /valid\s+60/);
  } finally {
    a.close();
    b.close();
  }
});

describe('s3:// inputs against s3rver', () => {
  const SECRET = 'S3-SECRET-never-shown-0123456789';
  let s3;
  let endpoint;
  let front; // a server in front of s3rver that cuts one object's download midway
  let env;
  before(async () => {
    s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: tempDir(), silent: true, configureBuckets: [{ name: 'exports' }] });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    front = createServer((req, res) => {
      const upstream = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        if (req.method === 'GET' && req.url.includes('/cut/')) {
          // Half of the object, then the connection is cut.
          const chunks = [];
          answer.on('data', (chunk) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            res.write(body.subarray(0, body.length / 2), () => res.socket.destroy());
          });
          return;
        }
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
    // The test's own client: no credentials, config or instance metadata from this machine.
    env = {
      ...DIRECT,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'us-east-1',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: join(tempDir(), 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(tempDir(), 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const put = (key, body) => client.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: body }));
    await put('daily/conversations.csv', readFileSync(join(SAMPLES, 'conversations.csv')));
    await put('daily/conversations.csv.gz', readFileSync(join(files, 'conversations.csv.gz')));
    await put('cut/rows.csv', readFileSync(join(files, 'rows.csv')));
    client.destroy();
  });
  after(async () => {
    front?.close();
    front?.closeAllConnections();
    await s3?.close();
  });

  test('an object is streamed into serve with AWS_ENDPOINT_URL; the secret appears in no output', async () => {
    const cwd = tempDir();
    const result = await withOwnServe(cwd, async (endpoint, own) => {
      const run = await runCli(['submit', '-e', endpoint, '--json', 's3://exports/daily/conversations.csv', 's3://exports/daily/conversations.csv.gz'], { cwd, env });
      assert.equal(readStore(own).length, 30, 'the 30 records (the .gz holds the same rows: stored once)');
      return run;
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr.includes('NodeVersionSupportWarning'), false, 'no SDK warning');
    const report = readNdjson(join(cwd, 'conversations.csv.report.ndjson'));
    assert.equal(report.filter((l) => l.status === 'accepted').length, 30);
    const duplicates = report.filter((l) => l.status === 'duplicate');
    assert.equal(duplicates.length, 30, 'the .gz repeats every row: each is a duplicate, not sent');
    assert.ok(duplicates.every((l) => l.repeats.file === 's3://exports/daily/conversations.csv' && l.repeats.row === l.row));
    assert.deepEqual(new Set(report.map((l) => l.file)), new Set(['s3://exports/daily/conversations.csv', 's3://exports/daily/conversations.csv.gz']));
    const everything = result.stdout + result.stderr + readFileSync(join(cwd, 'conversations.csv.report.ndjson'), 'utf8');
    assert.equal(everything.includes(SECRET), false, 'the secret key is never shown');
  });

  test('a missing key or bucket is refused before anything is sent: exit 2, one line', async () => {
    const cwd = tempDir();
    const before = stored();
    const key = await runCli(['submit', '-e', api.url, 's3://exports/daily/nothing.csv'], { cwd, env });
    assert.equal(key.code, 2, key.stderr);
    assert.equal(key.stderr, 'bulk-submit: error: s3://exports/daily/nothing.csv: no such key in the bucket (S3 NoSuchKey)\n');
    const bucket = await runCli(['validate', 's3://elsewhere/conversations.csv'], { cwd, env });
    assert.equal(bucket.code, 2, bucket.stderr);
    assert.match(bucket.stderr, /^bulk-submit: error: s3:\/\/elsewhere\/conversations\.csv: no such bucket: elsewhere/);
    const noCredentials = await runCli(['validate', 's3://exports/daily/conversations.csv'], { cwd, env: { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    assert.equal(noCredentials.code, 2, noCredentials.stderr);
    assert.match(noCredentials.stderr, /s3:\/\/exports\/daily\/conversations\.csv: no AWS credentials found/);
    assert.equal(stored(), before, 'nothing sent');
  });

  test('an object download cut midway stops the run at that row (exit 3); --resume completes it', async () => {
    const cwd = tempDir();
    await withOwnServe(cwd, async (endpoint, own) => {
      const cutEnv = { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${front.address().port}` };
      const cut = await runCli(['submit', '-e', endpoint, '--report', 'rows.csv.report.ndjson', 's3://exports/cut/rows.csv'], { cwd, env: cutEnv });
      assert.equal(cut.code, 3, cut.stderr);
      const at = Number(/s3:\/\/exports\/cut\/rows\.csv: the input was cut at row (\d+)/.exec(cut.stderr)?.[1]);
      assert.ok(at > 100 && at < ROWS, cut.stderr);
      assert.equal(readNdjson(join(cwd, 'rows.csv.report.ndjson')).length, at - 1);
      const resumed = await runCli(['submit', '-e', endpoint, '--resume', 's3://exports/cut/rows.csv'], { cwd, env });
      assert.equal(resumed.code, 1, resumed.stderr);
      assertExactlyOnce(cwd, own);
    });
  });
});

test('a run with local files loads neither the download code nor the AWS SDK', async () => {
  for (const args of [['validate', join(SAMPLES, 'conversations.csv')], ['submit', '-e', api.url, join(SAMPLES, 'conversations.csv')]]) {
    const cwd = tempDir();
    const list = join(cwd, 'modules.txt');
    writeFileSync(list, '');
    const nodeArgs = ['--import', join(ROOT, 'test', 'fixtures', 'startup', 'modules.js')];
    const { code } = await runCli(args, { cwd, nodeArgs, env: { ...DIRECT, MODULES_FILE: list }, stdio: 'ignore' });
    assert.equal(code, 0);
    const modules = readFileSync(list, 'utf8');
    assert.match(modules, /bundled\.js/, 'the hooks saw the run');
    assert.doesNotMatch(modules, /@aws-sdk/, `${args[0]} loaded the AWS SDK`);
    // Bundled or not, the code of input/http.ts, s3.ts and download.ts is known by its messages.
    const loaded = [...new Set(modules.split('\n').map((line) => line.split(' ')[1]).filter((url) => url?.startsWith('file:')))];
    for (const url of loaded) {
      const text = readFileSync(new URL(url), 'utf8');
      for (const marker of ['redirects back to itself', 'no such key in the bucket', 'the connection closed early']) {
        assert.equal(text.includes(marker), false, `${args[0]} loaded remote-input code (${url})`);
      }
    }
  }
});
