import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/** An answer to a GET: its status and headers, and its body as a stream (read at the reader's pace). */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/**
 * Bytes an answer without a Content-Length may hold in memory before its download is paused: where
 * the last chunk cannot be told (see BodyHandler), pausing risks undici's crash, and holding risks
 * memory; this bounds the second.
 */
const UNSIZED_HOLD = 64 * 1024 * 1024;

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * A GET's answer through undici's dispatch API (its documented DispatchHandler), with a body stream
 * whose backpressure pauses and resumes the download. Written instead of undici's request() because of
 * how request() pauses: when the body is read slower than it arrives, request() leaves undici's HTTP/1
 * parser paused; if the server then closes the connection (HTTP/1.0, `Connection: close`, as
 * `python -m http.server` does) while it is, undici 7 fails an assertion in its socket 'end' handler,
 * which no caller can catch (nodejs/undici#5360; fixed in undici 8, which needs Node 22). Here the
 * chunk that completes a Content-Length is never paused on: it is in memory already, and the parser
 * then reaches the end of the message before the connection's end reaches it. An answer of unknown
 * length is paused only past UNSIZED_HOLD bytes held.
 */
class BodyHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (answer: HttpAnswer) => void;
  readonly #reject: (error: Error) => void;
  #body: Readable | undefined;
  #length: number | undefined;
  #received = 0;
  /** The answer ended, whole or not: nothing is left to abort. */
  #ended = false;

  constructor(resolve: (answer: HttpAnswer) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Nothing to do here; undici tells a handler of its dispatch API by this method being there. */
  onRequestStart(): void {}

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: informational
    const length = Number(first(headers['content-length']));
    this.#length = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    this.#body = new Readable({
      highWaterMark: 256 * 1024,
      read: () => {
        if (controller.paused) controller.resume();
      },
      destroy: (error, callback) => {
        // The reader stopped early: the rest of the download is not wanted.
        if (!this.#ended && !controller.aborted) controller.abort(error ?? new Error('the download was closed'));
        callback(error);
      },
    });
    this.#resolve({ statusCode, headers, body: this.#body });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#received += chunk.length;
    const more = this.#body?.push(chunk) ?? true;
    if (more) return;
    const last = this.#length !== undefined && this.#received >= this.#length;
    const held = this.#length === undefined && (this.#body?.readableLength ?? 0) < UNSIZED_HOLD;
    if (!last && !held) controller.pause();
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#body?.push(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#ended = true;
    if (this.#body) this.#body.destroy(error);
    else this.#reject(error);
  }
}

/** GETs `path` from `origin` through `dispatcher` (its interceptors too): resolves once the answer's headers are in. */
export function getAnswer(dispatcher: Dispatcher, origin: string, path: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch({ origin, path, method: 'GET', headers }, new BodyHandler(resolve, reject));
  });
}
