import { Latency } from './latency.js';
import type { Stats } from './summary.js';

/** The series a run's page draws, each one value a sample. */
export const SERIES = [
  // Per sample: rows done by status, and requests by how they ended (counts in the sample's time).
  'accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped',
  'requests', 'r2xx', 'r3xx', 'r4xx', 'r5xx', 'network', 'retries', 'probes',
  // At the sample: requests in flight and the limits (the largest over a merged sample).
  'inFlight', 'limit', 'rate',
  // The latency of the sample's requests (ms; NaN when none came back).
  'p50', 'p95', 'p99',
] as const;
export type SeriesName = (typeof SERIES)[number];

/** Counts over a sample's time: merged samples add up. Gauges and latencies keep the highest. */
const SUMMED = new Set<SeriesName>(['accepted', 'rejected', 'failed', 'invalid', 'valid', 'dropped', 'requests', 'r2xx', 'r3xx', 'r4xx', 'r5xx', 'network', 'retries', 'probes']);

/** A run's timeline as its page takes it: seconds since the start of each sample, and each series. */
export interface TimelineData {
  readonly startedAt: number;
  /** Seconds each sample covers (1, then 2, 4 … once the run outgrew the capacity). */
  readonly stepSeconds: number;
  readonly t: number[];
  readonly series: Record<SeriesName, (number | null)[]>;
}

/** Samples a timeline holds at most: past it, neighbours merge and each covers twice the time. */
const CAPACITY = 720;

/**
 * A run over time, sampled once a second from its Stats: the rows and requests of each second, the
 * requests in flight and the limits at it, the second's latency quantiles. Nothing per row: a sample is
 * a handful of numbers, and memory is fixed whatever the run's length, since once CAPACITY samples are
 * held neighbours merge (counts add up, gauges and latencies keep the higher) and a sample covers twice
 * the time: an hour at one second a sample would be 3,600; it is 720 at five seconds.
 */
export class Timeline {
  readonly #stats: Stats;
  readonly #capacity: number;
  readonly #t = new Float64Array(CAPACITY);
  readonly #values = new Map<SeriesName, Float64Array>(SERIES.map((name) => [name, new Float64Array(CAPACITY)]));
  #length = 0;
  #step = 1;
  /** Samples taken since the last one kept, when a kept one covers several. */
  #pending = 0;
  #last: Record<SeriesName, number>;

  constructor(stats: Stats, capacity = CAPACITY) {
    this.#stats = stats;
    this.#capacity = Math.min(capacity, CAPACITY);
    stats.recentLatency ??= new Latency();
    this.#last = this.#counts();
  }

  /** Samples every second until the function returned is called (which takes a last sample). */
  start(everyMs = 1000): () => void {
    const timer = setInterval(() => this.sample(), everyMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.sample();
    };
  }

  /** Takes one sample now: what happened since the last one. */
  sample(now = Date.now()): void {
    const counts = this.#counts();
    const latency = this.#stats.recentLatency?.take();
    const value: Record<SeriesName, number> = { ...counts, p50: latency?.p50 ?? NaN, p95: latency?.p95 ?? NaN, p99: latency?.p99 ?? NaN };
    for (const name of SUMMED) value[name] = counts[name] - this.#last[name];
    this.#last = counts;
    this.#add((now - this.#stats.startedAt) / 1000, value);
  }

  /** The samples taken so far, for the page. */
  data(): TimelineData {
    const slice = (array: Float64Array): (number | null)[] => Array.from(array.subarray(0, this.#length), (v) => (Number.isNaN(v) ? null : v));
    const series = Object.fromEntries(SERIES.map((name) => [name, slice(this.#values.get(name)!)])) as Record<SeriesName, (number | null)[]>;
    return { startedAt: this.#stats.startedAt, stepSeconds: this.#step, t: Array.from(this.#t.subarray(0, this.#length)), series };
  }

  /** The cumulative counts and the gauges, now. */
  #counts(): Record<SeriesName, number> {
    const s = this.#stats;
    const r = s.responses;
    return {
      accepted: s.accepted, rejected: s.rejected, failed: s.failed, invalid: s.invalid, valid: s.valid, dropped: s.dropped,
      requests: s.requests, r2xx: r['2xx'], r3xx: r['3xx'], r4xx: r['4xx'], r5xx: r['5xx'], network: r.network, retries: s.retried, probes: s.probes,
      inFlight: s.inFlight, limit: s.concurrencyLimit ?? NaN, rate: s.rateLimit ?? NaN, p50: NaN, p95: NaN, p99: NaN,
    };
  }

  /** Keeps a sample: merged into the last kept one while that one covers less than a step. */
  #add(t: number, value: Record<SeriesName, number>): void {
    if (this.#pending > 0 && this.#pending < this.#step) {
      this.#merge(this.#length - 1, value, t);
      this.#pending++;
      return;
    }
    if (this.#length === this.#capacity) this.#halve();
    this.#t[this.#length] = t;
    for (const name of SERIES) this.#values.get(name)![this.#length] = value[name];
    this.#length++;
    this.#pending = 1;
  }

  /** Sample `at` takes `value` in too: counts add up, the rest keeps the higher; its time is the later one. */
  #merge(at: number, value: Record<SeriesName, number>, t: number): void {
    this.#t[at] = t;
    for (const name of SERIES) {
      const values = this.#values.get(name)!;
      const a = values[at];
      const b = value[name];
      values[at] = SUMMED.has(name) ? a + b : Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
    }
  }

  /** Full: each pair of neighbours becomes one sample, and a sample covers twice the time from now on. */
  #halve(): void {
    const half = Math.floor(this.#length / 2);
    for (let i = 0; i < half; i++) {
      const value = Object.fromEntries(SERIES.map((name) => [name, this.#values.get(name)![2 * i + 1]])) as Record<SeriesName, number>;
      this.#t[i] = this.#t[2 * i];
      for (const name of SERIES) this.#values.get(name)![i] = this.#values.get(name)![2 * i];
      this.#merge(i, value, this.#t[2 * i + 1]);
    }
    this.#length = half;
    this.#step *= 2;
  }
}
