// A real browser for the pages bulk-submit writes: Debian's Chromium (/usr/bin/chromium; .ci/run installs
// the package), driven by playwright-core with that executable, nothing downloaded. `openPage(file)` loads
// a page from file:// and gives it back with every console error and every request it made.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can (CI requires them: TEST_REQUIRE_CHROMIUM). */
export function browserSkip() {
  if (existsSync(CHROMIUM) || process.env.TEST_REQUIRE_CHROMIUM) return false;
  return `no Chromium at ${CHROMIUM} (Debian package chromium; .ci/run installs it)`;
}

/**
 * Opens `file` in headless Chromium; resolves { page, errors, requests, close() }: `errors` the console
 * errors and uncaught exceptions, `requests` every URL the page asked for besides itself.
 */
export async function openPage(file, { width = 1400, height = 1000 } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As the machine's own probe runs it: no sandbox (root), no GPU, and none of Chromium's own network
    // traffic (background updates, sync), which this machine's closed network would refuse.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  const url = pathToFileURL(file).href;
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => request.url() !== url && requests.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests, close: () => browser.close() };
}

/** A folder for a test's screenshots. */
export function shotsDir() {
  return mkdtempSync(join(tmpdir(), 'bulk-submit-shots-'));
}
