import { numberDefault } from '../options/index.js';
import type { LibraryOptions } from '../options/index.js';

/**
 * Fault injection for `serve`: the failures a real endpoint has, on demand and reproducible. Every
 * random decision comes from a seeded PRNG, one stream per fault, so `--seed` makes a run repeatable.
 */

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The failures to inject, as the serve command's options name them (src/options/table.ts): `failRate`,
 * `latency`, `rateLimit`, `dailyQuota`, `dropRate`, `acceptThenFail`, `outage`, `htmlRate`, and the `seed` of them all.
 */
export type FaultOptions = Pick<LibraryOptions<'serve'>, 'seed' | 'failRate' | 'latency' | 'capacity' | 'rateLimit' | 'dailyQuota' | 'dropRate' | 'acceptThenFail' | 'outage' | 'htmlRate'>;

/**
 * --capacity N: the endpoint works on at most N requests at once; the others wait their turn, in order.
 * Past N, every request in flight adds to the wait: latency grows with the load, as a real service's
 * does past its knee.
 */
export class Capacity {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Resolves once a worker is free, with the function that frees it again. */
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return () => {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

export type FaultCounts = Record<'throttled' | 'overQuota' | 'dropped' | 'failed' | 'acceptedThenFailed' | 'refusedConnections' | 'html', number>;

/** What to do with a request before it is processed. */
export type Verdict =
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number; readonly code: string }
  | { readonly kind: 'drop' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'html' }
  | { readonly kind: 'process'; readonly delayMs: number; readonly failAfterStoring: boolean };

export class Faults {
  readonly counts: FaultCounts = { throttled: 0, overQuota: 0, dropped: 0, failed: 0, acceptedThenFailed: 0, refusedConnections: 0, html: 0 };
  readonly #options: FaultOptions;
  readonly #now: () => number;
  readonly #random: Record<'fail' | 'drop' | 'latency' | 'acceptThenFail' | 'html', () => number>;
  #second = -1;
  #inSecond = 0;
  #day = '';
  #inDay = 0;

  constructor(options: FaultOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
    const seed = options.seed ?? numberDefault('seed');
    this.#random = {
      fail: mulberry32(seed * 4 + 1),
      drop: mulberry32(seed * 4 + 2),
      latency: mulberry32(seed * 4 + 3),
      acceptThenFail: mulberry32(seed * 4 + 4),
      html: mulberry32(seed * 4 + 5),
    };
  }

  get active(): boolean {
    const o = this.#options;
    return Boolean(o.failRate || o.latency?.latencyMs || o.capacity || o.rateLimit || o.dailyQuota || o.dropRate || o.acceptThenFail || o.outage || o.htmlRate);
  }

  /** Decides the fate of one ingest request, in the order a real gateway would. */
  judge(): Verdict {
    const o = this.#options;
    const now = this.#now();
    if (o.rateLimit) {
      const second = Math.floor(now / 1000);
      if (second !== this.#second) {
        this.#second = second;
        this.#inSecond = 0;
      }
      if (++this.#inSecond > o.rateLimit) {
        this.counts.throttled++;
        return { kind: 'throttle', retryAfterSeconds: 1, code: '429-01' };
      }
    }
    if (o.dailyQuota) {
      const day = new Date(now).toISOString().slice(0, 10);
      if (day !== this.#day) {
        this.#day = day;
        this.#inDay = 0;
      }
      if (++this.#inDay > o.dailyQuota) {
        this.counts.overQuota++;
        const midnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1);
        return { kind: 'throttle', retryAfterSeconds: Math.ceil((midnight - now) / 1000), code: '429-02' };
      }
    }
    // Draw from every stream on every request, so one fault's setting never shifts another's decisions.
    const drop = this.#random.drop() < (o.dropRate ?? 0);
    const fail = this.#random.fail() < (o.failRate ?? 0);
    const jitter = this.#random.latency() * (o.latency?.latencyJitterMs ?? 0);
    const failAfterStoring = this.#random.acceptThenFail() < (o.acceptThenFail ?? 0);
    const html = this.#random.html() < (o.htmlRate ?? 0);
    if (html) {
      this.counts.html++;
      return { kind: 'html' };
    }
    if (drop) {
      this.counts.dropped++;
      return { kind: 'drop' };
    }
    if (fail) {
      this.counts.failed++;
      return { kind: 'fail' };
    }
    if (failAfterStoring) this.counts.acceptedThenFailed++;
    return { kind: 'process', delayMs: (o.latency?.latencyMs ?? 0) + jitter, failAfterStoring };
  }
}

