/** Request latency quantiles, in milliseconds. */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** The smallest latency told apart (ms): anything below counts as this. */
const MIN_MS = 0.01;
/** Each bucket is this much wider than the one before: a quantile is read within 1 % of the truth. */
const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
/** Buckets from MIN_MS up to ten minutes; a longer wait counts in the last. */
const BUCKETS = Math.ceil(Math.log((10 * 60_000) / MIN_MS) / LOG_RATIO) + 1;

/**
 * Request latencies of a run, as a histogram of logarithmic buckets (each 2 % wider than the one before,
 * as HdrHistogram and DDSketch keep them): a few kilobytes however many requests, one array increment per
 * request, and p50/p95/p99 within 1 %, read at any time for the progress line and the summary. Written here
 * rather than a t-digest: a digest's insertion (a search and a merge now and then) cost more per request
 * than the rest of the bookkeeping together, and a second's quantiles (`take()`) need a histogram anyway.
 */
export class Latency {
  readonly #counts = new Float64Array(BUCKETS);
  count = 0;

  observe(ms: number): void {
    const bucket = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / LOG_RATIO) + 1);
    this.#counts[bucket]++;
    this.count++;
  }

  /** p50, p95 and p99 (ms, rounded to 0.1 ms); undefined before the first request. */
  quantiles(): LatencyQuantiles | undefined {
    if (this.count === 0) return undefined;
    const wanted = [0.5, 0.95, 0.99].map((p) => Math.max(1, Math.ceil(p * this.count)));
    const found: number[] = [];
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS && found.length < wanted.length; bucket++) {
      seen += this.#counts[bucket];
      while (found.length < wanted.length && seen >= wanted[found.length]) found.push(Math.round(valueOf(bucket) * 10) / 10);
    }
    return { p50: found[0], p95: found[1], p99: found[2] };
  }

  /** The quantiles of the latencies observed since the last take(), and forget them: a second's worth, for the run's page. */
  take(): LatencyQuantiles | undefined {
    const quantiles = this.quantiles();
    this.#counts.fill(0);
    this.count = 0;
    return quantiles;
  }
}

/** The latency a bucket stands for: the geometric middle of its bounds. */
function valueOf(bucket: number): number {
  return bucket === 0 ? MIN_MS : MIN_MS * RATIO ** (bucket - 0.5);
}
