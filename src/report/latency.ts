import tdigest from 'tdigest';

/** Request latency quantiles, in milliseconds. */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * Request latencies of a run, as a t-digest (the tdigest package, the same estimator prom-client's
 * Summary uses): a few kilobytes however many requests, quantiles read at any time for the progress
 * line and the summary. Loaded by a run that sends, with undici.
 */
export class Latency {
  readonly #digest = new tdigest.TDigest();
  count = 0;

  observe(ms: number): void {
    this.#digest.push(ms);
    this.count++;
  }

  /** p50, p95 and p99 (ms, rounded to 0.1 ms); undefined before the first request. */
  quantiles(): LatencyQuantiles | undefined {
    if (this.count === 0) return undefined;
    const at = (p: number): number => Math.round((this.#digest.percentile(p) ?? 0) * 10) / 10;
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
