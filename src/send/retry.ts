import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Tries after the first; 0 = never retry. */
  readonly retries: number;
  /** First wait after a 429 (the API's guidance: 1 s, doubling). */
  readonly throttledBaseMs: number;
  /** First wait after a 5xx, 408, timeout or network error (the API's guidance: 250 ms, doubling). */
  readonly failureBaseMs: number;
  /** No single wait is longer than this, Retry-After included. */
  readonly maxDelayMs: number;
}

/** The API's published backoff guidance; how many retries is --retries (src/options/table.ts). */
export const BACKOFF: Omit<RetryPolicy, 'retries'> = { throttledBaseMs: 1000, failureBaseMs: 250, maxDelayMs: 5 * 60_000 };

/**
 * How long to wait before try number `failures + 1`. Retry-After always wins; otherwise exponential
 * backoff from the base for the kind of failure, with "equal jitter" (half fixed, half random) so that
 * many rows failing together do not come back together.
 */
export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  httpStatus: number | undefined,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const base = httpStatus === 429 ? policy.throttledBaseMs : policy.failureBaseMs;
  const exponential = Math.min(base * 2 ** Math.max(0, failures - 1), policy.maxDelayMs);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Waits, or resolves early (without throwing) when the signal aborts. */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // aborted: the caller checks the signal.
  }
}
