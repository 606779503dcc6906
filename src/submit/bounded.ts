/**
 * Runs `worker` over an async iterable with at most `concurrency` calls in flight, pulling the next
 * item only when a slot is free: that is the backpressure that keeps memory flat, since the reader
 * behind `items` is not asked for a row until there is room for it (the shape of p-map's
 * pMapIterable, written here because we need the "stop pulling on signal, finish what is in flight"
 * semantics for interrupts and aborts).
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
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const track = (item: T): void => {
    const promise: Promise<void> = worker(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  if (!signal?.aborted) {
    for await (const item of items) {
      track(item);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (signal?.aborted || failure) break;
    }
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}
