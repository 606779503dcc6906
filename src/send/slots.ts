/**
 * At most `size` tasks in flight: a task starts in a free slot, and the caller waits for one before it
 * pulls the next piece of work. That wait is the backpressure that keeps memory flat: the reader behind
 * the work is not asked for a row until there is room for it (the shape of p-map's pMapIterable,
 * written here because the run needs "stop pulling on a signal, finish what is in flight", and because
 * it runs once per request: a counter and one waiter, not a Promise.race over every task in flight).
 */
export class Slots {
  readonly #size: number;
  #inFlight = 0;
  #failure: { readonly error: unknown } | undefined;
  #wake: (() => void) | undefined;

  constructor(size: number) {
    this.#size = size;
  }

  /** Starts `task` in a slot; wait for `free()` before starting the next. */
  start(task: () => Promise<void>): void {
    this.#inFlight++;
    task().then(
      () => this.#settled(),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#settled();
      },
    );
  }

  /** Resolves once a slot is free: true to go on, false once `signal` aborted or a task failed (start nothing more). */
  async free(signal?: AbortSignal): Promise<boolean> {
    while (this.#inFlight >= this.#size) await this.#next();
    return !signal?.aborted && this.#failure === undefined;
  }

  /** Waits for every task in flight to settle; rethrows the first task's failure. */
  async drain(): Promise<void> {
    while (this.#inFlight > 0) await this.#next();
    if (this.#failure) throw this.#failure.error;
  }

  #settled(): void {
    this.#inFlight--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #next(): Promise<void> {
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }
}
