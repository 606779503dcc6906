#!/usr/bin/env node
// `npm run demo`: starts `bulk-submit serve` on a free port, submits the bundled samples to it,
// prints each run's summary, and stops the server. Reports and the server's store land in demo-output/.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'bulk-submit.js');
const out = join(root, 'demo-output');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--store', join(out, 'stored.ndjson')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

function submit(label, args) {
  process.stderr.write(`\n$ bulk-submit submit ${args.join(' ')}    # ${label}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'submit', ...args], { cwd: out, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code) => {
      process.stderr.write(`(exit ${code})\n`);
      resolve(code);
    });
  });
}

const { child, url } = await startServe();
process.stderr.write(`bulk-submit serve is listening on ${url}\n`);
const sample = (name) => join(root, 'samples', name);
const codes = [
  await submit('conversations, CSV', ['--endpoint', url, sample('conversations.csv')]),
  await submit('conversations, NDJSON', ['--endpoint', url, sample('conversations.ndjson')]),
  await submit('customers', ['--endpoint', url, '--kind', 'customer', sample('customers.csv')]),
  await submit('agents', ['--endpoint', url, '--kind', 'agent', sample('agents.csv')]),
  await submit('an export with other column names, mapped', ['--endpoint', url, '--map', sample('mapping.example.json'), sample('legacy-export.csv')]),
  await submit('an HR export reshaped by a transform, its times read in Paris', ['--endpoint', url, '--kind', 'agent', '--transform', sample('transform.example.mjs'), '--timezone', 'Europe/Paris', sample('legacy-agents.csv')]),
  await submit('rows that each break one rule: exit 1 expected', ['--endpoint', url, '--rejects', 'bad-rows.rejects.csv', sample('bad-rows.csv')]),
];
await new Promise((resolve) => {
  child.once('exit', resolve);
  child.kill('SIGTERM');
});
const expected = [0, 0, 0, 0, 0, 0, 1];
const ok = codes.every((code, i) => code === expected[i]);
process.stderr.write(
  `\nDemo ${ok ? 'finished as expected' : 'did NOT finish as expected'}: reports, rejects and the server's store are in ${out}\n`,
);
process.exitCode = ok ? 0 : 1;
