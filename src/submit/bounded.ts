/**
 * Runs `worker` over an async iterable with at most `concurrency` calls in flight, pulling the next
 * item only when a slot is free: that is the backpressure that keeps memory flat, since the reader
 * behind `items` is not asked for a row until there is room for it (the shape of p-map's
 * pMapIterable, written here because we need the "stop pulling on signal, finish what is in flight"
 * semantics for interrupts and aborts, and because it runs once per row: a counter and one waiter,
 * not a Promise.race over every call in flight).
 *
 * Stops pulling when `signal` aborts or a worker throws; always waits for in-flight calls to settle;
 * rethrows the first worker error.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let inFlight = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    const waiter = wake;
    wake = undefined;
    waiter?.();
  };
  const failed = (error: unknown): void => {
    failure ??= { error };
    settled();
  };
  const slot = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  if (!signal?.aborted) {
    for await (const item of items) {
      inFlight++;
      worker(item).then(settled, failed);
      while (inFlight >= concurrency) await slot();
      if (signal?.aborted || failure) break;
    }
  }
  while (inFlight > 0) await slot();
  if (failure) throw failure.error;
}
