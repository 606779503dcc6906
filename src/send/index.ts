/**
 * The HTTP sender: request bodies in, every row they carried recorded through a RowSink. It paces the
 * requests (--rate, AIMD on 429, outage probes), retries what is worth it, reads batch answers item by
 * item, and stops the run through a StopControl when an answer says nothing more will get through. It
 * knows nothing of the job that drives it (src/job/): only these interfaces.
 */
import { numberDefault } from '../options/index.js';
import type { Stats } from '../report/index.js';
import type { HttpClient } from './http-client.js';
import type { RowSink } from './row-sink.js';
import type { Sender } from './sender.js';
import type { SendSettings } from './send-settings.js';
import type { StopControl } from './stop-control.js';
import type { RequestBudget } from './request-budget.js';

export { bodiesOf } from './sender.js';
export type { Body, Sender } from './sender.js';
export type { HttpClient } from './http-client.js';
export { Slots } from './slots.js';
export type { SendSettings } from './send-settings.js';
export type { AnswerRule } from './answer.js';
export type { RowOutcome, RowSink } from './row-sink.js';
export type { StopControl } from './stop-control.js';
export type { RequestBudget } from './request-budget.js';

/** A sender and the client under it (closed or cut off by the job). */
export interface OpenedSender {
  readonly sender: Sender;
  readonly client: HttpClient;
}

/** Opens the HTTP side of a run: the client, paced and read by the requester, driven by the sender. undici loads only here. */
export async function openSender(settings: SendSettings, sink: RowSink, stats: Stats, stop: StopControl, batches: boolean, budget?: RequestBudget): Promise<OpenedSender> {
  const [{ HttpClient }, { Latency }, { Requester }, { Sender }, { Throttle }, { BACKOFF }] = await Promise.all([
    import('./http-client.js'),
    import('../report/latency.js'),
    import('./requester.js'),
    import('./sender.js'),
    import('./throttle.js'),
    import('./retry.js'),
  ]);
  stats.latency ??= new Latency();
  const client = new HttpClient({ endpoint: settings.endpoint.href, headers: settings.headers, concurrency: settings.concurrency, timeoutMs: settings.timeoutMs, maxAnswerBytes: settings.maxAnswerBytes, ca: settings.ca });
  const retry = { ...BACKOFF, retries: settings.retries };
  // An adapting limit starts where a fixed one would be by default: no slower than it while it learns.
  const adaptive = settings.adaptive ? { initial: numberDefault('concurrency') } : undefined;
  const throttle = new Throttle({ rate: settings.rate, concurrency: settings.concurrency, maxOutageMs: settings.maxOutageMs, adaptive });
  stats.adaptiveConcurrency = settings.adaptive;
  const requester = new Requester(client, throttle, settings, retry, stats, stop, batches, budget);
  return { sender: new Sender(requester, retry, sink, stop, batches, settings.acceptAnswer), client };
}
