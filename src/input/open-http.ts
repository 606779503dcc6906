/**
 * http:// and https:// inputs: streamed with undici through the same proxy and trusted CAs as the API
 * requests (util/dispatcher.ts), redirects followed (at most MAX_REDIRECTS). Loaded only when such an
 * input is given.
 */
import { interceptors } from 'undici';
import type { Readable } from 'node:stream';
import { BulkError } from '../errors.js';
import { httpDispatcher, requestFailure } from '../util/dispatcher.js';
import { downloadInput, isGzipEncoding } from './download.js';
import { getAnswer } from './http-body.js';
import type { HttpAnswer } from './http-body.js';
import type { RemoteOptions } from './download.js';
import type { OpenedInput } from './source.js';

/** Redirects followed before the download is refused (a loop, or a chain gone wrong). */
const MAX_REDIRECTS = 5;
/** Time to connect (ms); the answer and its body then have undici's own limits, which a paused read does not spend. */
const CONNECT_MS = 10_000;

/** The statuses a download is refused for, in words (nothing was sent yet, so the run stops, exit 2). */
function refusal(status: number, location: unknown): { code: 'BULK_FILE_NOT_FOUND' | 'BULK_FILE_UNREADABLE'; text: string } {
  if (status === 404 || status === 410) return { code: 'BULK_FILE_NOT_FOUND', text: `not found (HTTP ${status})` };
  if (status === 401 || status === 403) return { code: 'BULK_FILE_UNREADABLE', text: `the server refused access (HTTP ${status}): check the URL's credentials or signature` };
  // The redirect interceptor hands over the answer it stopped at: one more redirect.
  if (status >= 300 && status < 400 && location !== undefined) return { code: 'BULK_FILE_UNREADABLE', text: `more than ${MAX_REDIRECTS} redirects (HTTP ${status}): a redirect loop?` };
  return { code: 'BULK_FILE_UNREADABLE', text: `cannot download it (HTTP ${status})` };
}

/** Opens `url` (named `file` in every output: credentials masked) as a stream of its body. */
export async function openHttp(url: string, file: string, options: RemoteOptions): Promise<OpenedInput> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new BulkError('BULK_FILE_NOT_FOUND', 'not a valid URL', { file });
  }
  const named = options.gzipByName;
  const headers: Record<string, string> = { 'user-agent': 'bulk-submit', 'accept-encoding': named ? 'identity' : 'gzip' };
  // Credentials in the URL go as Basic authentication (undici drops the header on a redirect to another origin).
  if (target.username !== '' || target.password !== '') {
    headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
  }
  const dispatcher = httpDispatcher({ connectTimeoutMs: CONNECT_MS, ca: options.ca }).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  const release = (): void => void dispatcher.destroy().catch(() => undefined);
  // A body not wanted (an error's) is dropped; undici then reports it aborted, which is no one's concern.
  const drop = (body: Readable): void => void body.on('error', () => undefined).destroy();
  let response: HttpAnswer;
  try {
    response = await getAnswer(dispatcher, target.origin, `${target.pathname}${target.search}`, headers);
  } catch (error) {
    release();
    const loop = error instanceof Error && /redirect loop/i.test(error.message);
    throw new BulkError('BULK_FILE_UNREADABLE', loop ? 'a redirect loop: the URL redirects back to itself' : `cannot download it: ${requestFailure(error).text}`, { file, line: undefined, cause: error });
  }
  // Any 2xx is the file (a proxy may answer 203), but a part of it (206, never asked for) is not.
  if (response.statusCode < 200 || response.statusCode > 299 || response.statusCode === 206) {
    drop(response.body);
    release();
    const { code, text } = refusal(response.statusCode, response.headers['location']);
    throw new BulkError(code, text, { file });
  }
  const encoding = String(response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '' && !isGzipEncoding(encoding)) {
    drop(response.body);
    release();
    throw new BulkError('BULK_FILE_UNREADABLE', `the server sent it with Content-Encoding ${encoding}, which bulk-submit does not read (gzip is)`, { file });
  }
  const length = Number(response.headers['content-length']);
  return downloadInput({
    file,
    format: options.format,
    body: response.body,
    size: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
    gzipByName: named,
    encoding,
    hold: options.hold,
    release,
  });
}
