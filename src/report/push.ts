import { request } from 'undici';

/** How long a push may take, in all. */
const PUSH_TIMEOUT_MS = 10_000;

/**
 * POSTs the registry's exposition text to a Pushgateway group, as prom-client's `Pushgateway.pushAdd()`
 * does. Written here because that class builds its URLs with `url.parse()`, which Node 24 deprecates
 * with a warning printed on every push (DEP0169); undici (already ours) does the request instead.
 * POST replaces only the series pushed, so a failed run leaves the group's last success time as it was.
 */
export async function pushAdd(gateway: string, groups: Record<string, string>, text: string, contentType: string): Promise<void> {
  const base = new URL(gateway);
  const path = Object.entries(groups).map(([name, value]) => `/${encodeURIComponent(name)}/${encodeURIComponent(value)}`).join('');
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/metrics${path}`, base);
  const headers: Record<string, string> = { 'content-type': contentType };
  // Credentials in the URL (http://user:pass@host) go as Basic auth, as prom-client's push sends them.
  if (base.username !== '') headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const response = await request(url, { method: 'POST', headers, body: text, headersTimeout: PUSH_TIMEOUT_MS, bodyTimeout: PUSH_TIMEOUT_MS });
  const answer = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`push failed with status ${response.statusCode}${answer.trim() === '' ? '' : `: ${answer.trim().split('\n')[0].slice(0, 200)}`}`);
}

