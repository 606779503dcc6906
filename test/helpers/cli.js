// Test helpers: run the real CLI as a child process, start the real `serve` on a free port.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'bulk-submit.js');
export const SAMPLES = join(ROOT, 'samples');

/** A fresh temporary directory for one test. */
export function tempDir(prefix = 'bulk-submit-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts `bulk-submit ...args` as a child process, for a test that acts while it runs (a signal, a
 * second run): { child, stdout, stderr (all printed so far), exited: Promise<{ code, signal, stdout,
 * stderr }> }. options: { cwd, env, nodeArgs (before the script, e.g. --import), stdio }.
 */
export function startCli(args, options = {}) {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...options.env },
    stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/**
 * Runs `bulk-submit ...args` and resolves with { code, signal, stdout, stderr }.
 * options: startCli's, and input (string|Buffer for stdin), timeoutMs (default 60s).
 */
export async function runCli(args, options = {}) {
  const run = startCli(args, options);
  if (options.input !== undefined) run.child.stdin.end(options.input);
  else run.child.stdin?.end();
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`bulk-submit ${args.join(' ')} did not finish in time\nstdout: ${run.stdout}\nstderr: ${run.stderr}`));
    }, options.timeoutMs ?? 60_000);
  });
  try {
    return await Promise.race([run.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `bulk-submit serve --port 0 ...args` as a child process and waits for its
 * "listening on URL" line. Returns { url, child, stop(): Promise<{code, stderr}> }.
 */
export function startServe(args = [], options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start\n${stdout}\n${stderr}`));
    }, 15_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done({ code: child.exitCode, stderr });
              child.once('close', (code) => done({ code, stderr }));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

/** Runs `fn(server)` against `bulk-submit serve` (startServe's), which is stopped whatever `fn` does. */
export async function withServe(args, fn) {
  const server = await startServe(args);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/**
 * Waits for `predicate()` to become true (polling every 25 ms), for an event the test can observe: a
 * file appears, the server saw a request, a line was printed. The bound is generous on purpose: these
 * machines are shared and at times ten times slower than usual, and a test must never bet on how far
 * a process got in a fixed time. Rejects with `what` when the bound passes.
 */
export async function waitFor(predicate, what, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Tests of the daily quota hang on the UTC day: near its end, a quota's 429 says "retry in a few minutes"
 * (which a client rightly waits out, up to its 5-minute backoff cap, instead of stopping), and a day's
 * count starts again mid-test. Such a test starts only with at least `marginMs` of the UTC day left: in
 * the last `marginMs` it waits for the next day to begin (the event, not a time).
 */
export async function awayFromMidnight(marginMs) {
  const day = () => new Date().toISOString().slice(0, 10);
  if (86_400_000 - (Date.now() % 86_400_000) >= marginMs) return;
  const today = day();
  await waitFor(() => day() !== today, 'the next UTC day', marginMs + 60_000);
}

/** Reads an NDJSON file into an array of objects (missing file → []). */
export function readNdjson(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Complete lines in a file that another process is appending to (missing file → 0). */
export function lineCount(file) {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The records a `serve --store FILE` stored: [{kind, storedAt, record}]. */
export function readStore(file) {
  return readNdjson(file);
}

/** Starts `serve --store FILE` (a new temporary file): { url, store, stop() } as startServe's, with `store` its path. */
export async function startStoringServe(args = []) {
  const store = join(tempDir(), 'store.ndjson');
  return { ...(await startServe(['--store', store, ...args])), store };
}
