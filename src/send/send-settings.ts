import type { AnswerRule } from './answer.js';

/** What the sender needs to know: where, with what, how fast and how patiently, and which answers to believe. */
export interface SendSettings {
  readonly endpoint: URL;
  readonly apiPath: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra trusted CA certificates (PEM text, read from --ca). */
  readonly ca: string | undefined;
  /** Most requests in flight; with `adaptive`, the most the limit may grow to. */
  readonly concurrency: number;
  /** --concurrency auto: the limit adapts to the round-trip time (adaptive-limit.ts). */
  readonly adaptive: boolean;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Requests per second at most (0 = unlimited). */
  readonly rate: number;
  readonly maxOutageMs: number;
  readonly drainTimeoutMs: number;
  /** --accept-answer: only the API's documented answers accept a row, or (another JSON API) any JSON 2xx. */
  readonly acceptAnswer: AnswerRule;
  /** --max-answer-size: the most bytes of an answer read (and inflated); past it the request is cut. */
  readonly maxAnswerBytes: number;
}
