/** What the sender needs to know: where, with what, how fast and how patiently. */
export interface SendSettings {
  readonly endpoint: URL;
  readonly apiPath: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra trusted CA certificates (PEM text, read from --ca). */
  readonly ca: string | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Requests per second at most (0 = unlimited). */
  readonly rate: number;
  readonly maxOutageMs: number;
  readonly drainTimeoutMs: number;
}
