/**
 * The HTTP sender: request bodies in, every row they carried recorded through a RowSink. It paces the
 * requests (--rate, AIMD on 429, outage probes), retries what is worth it, reads batch answers item by
 * item, and stops the run through a StopControl when an answer says nothing more will get through. It
 * knows nothing of the job that drives it (src/job/): only these interfaces.
 */
import type { BulkError } from '../errors.js';
import type { ParcelView } from '../prepare/index.js';
import type { RowStatus, Stats } from '../report/index.js';
import type { HttpClient } from './http-client.js';
import type { Sender } from './sender.js';

export { bodiesOf } from './sender.js';
export type { Body, Sender } from './sender.js';
export type { HttpClient } from './http-client.js';
export { Slots } from './slots.js';

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

/** What a request came to for one row it carried. */
export interface RowOutcome {
  readonly status: RowStatus;
  /** The id the service gave the row, when it said; otherwise the row's own. */
  readonly eventId?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
}

/** Where the sender records each row it sent: a promise back when the disk is behind (backpressure). */
export interface RowSink {
  sent(rows: ParcelView, items: readonly number[], outcomes: readonly RowOutcome[], attempts: number): Promise<void> | undefined;
}

/** How the sender sees the run's stop: a signal it waits on, and a way to stop the run for a reason. */
export interface StopControl {
  readonly signal: AbortSignal;
  abort(error: BulkError): void;
}

/** A sender and the client under it (closed or cut off by the job). */
export interface OpenedSender {
  readonly sender: Sender;
  readonly client: HttpClient;
}

/** Opens the HTTP side of a run: the client, paced and read by the requester, driven by the sender. undici loads only here. */
export async function openSender(settings: SendSettings, sink: RowSink, stats: Stats, stop: StopControl, batches: boolean): Promise<OpenedSender> {
  const [{ HttpClient }, { Latency }, { Requester }, { Sender }, { Throttle }, { BACKOFF }] = await Promise.all([
    import('./http-client.js'),
    import('../report/latency.js'),
    import('./requester.js'),
    import('./sender.js'),
    import('./throttle.js'),
    import('./retry.js'),
  ]);
  stats.latency ??= new Latency();
  const client = new HttpClient({ endpoint: settings.endpoint.href, headers: settings.headers, concurrency: settings.concurrency, timeoutMs: settings.timeoutMs, ca: settings.ca });
  const retry = { ...BACKOFF, retries: settings.retries };
  const throttle = new Throttle({ rate: settings.rate, concurrency: settings.concurrency, maxOutageMs: settings.maxOutageMs });
  const requester = new Requester(client, throttle, settings, retry, stats, stop);
  return { sender: new Sender(requester, retry, sink, stop, batches), client };
}
