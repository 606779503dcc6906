import type { MessagePort } from 'node:worker_threads';
import { fromTransferable, toTransferable } from '../errors.js';
import type { TransferredError } from '../errors.js';

/**
 * Credit flow between two ends of the preparing stage (parse → map → the sending side), in one thread or
 * across two: the producer may hand over at most `ahead` items not yet taken, and waits for a credit
 * (an item taken) before the next. A slow taker therefore holds everything behind it still, down to the
 * file reader, and memory stays flat whatever the file size.
 */
export interface Outlet<T> {
  /** Hands an item over, once a credit is free; resolves false (item dropped) once the taker stopped. */
  send(item: T): Promise<boolean>;
  /** No more items. */
  end(): void;
  /** The producer failed: the taker sees the error after the items before it. */
  fail(error: unknown): void;
  /** Resolves once the taker has stopped (it will take nothing more). */
  readonly stopped: Promise<void>;
}

export interface Inlet<T> {
  /** The items in order; taking one gives its credit back. Throws the producer's error after the items before it. */
  items(): AsyncGenerator<T>;
  /** Takes nothing more: items() ends, and the producer stops at its next send. */
  stop(): void;
}

/** Chunks or parcels one end may hand over and the next not yet take. */
export const AHEAD = 4;

/** What a producer holds that is not a full chunk or parcel goes after this long without more: a trickle flows (ms). */
export const IDLE_FLUSH_MS = 10;

/**
 * A producer's hand-overs, one at a time and in the order asked, whether a full chunk asks or an idle
 * timer does: a send never overtakes the one before it (the outlet would take them in any order).
 */
export class InTurn<T> {
  readonly #outlet: Outlet<T>;
  #last: Promise<boolean> = Promise.resolve(true);

  constructor(outlet: Outlet<T>) {
    this.#outlet = outlet;
  }

  /** Hands `item` over after every item asked before it; resolves false once the taker stopped. */
  send(item: T): Promise<boolean> {
    return (this.#last = this.#last.then((open) => open && this.#outlet.send(item)));
  }

  /** The last hand-over asked: false once the taker stopped. */
  get last(): Promise<boolean> {
    return this.#last;
  }
}

type Message<T> = { readonly type: 'item'; readonly item: T } | { readonly type: 'end' } | { readonly type: 'error'; readonly error: TransferredError };
type Reply = { readonly type: 'credit' } | { readonly type: 'stop' };

/** What is handed over and not yet taken, on the taking side: ended or failed once the producer says so. */
class Waiting<T> {
  readonly #items: T[] = [];
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#settle();
  }

  end(): void {
    this.#ended = true;
    this.#settle();
  }

  fail(error: Error): void {
    this.#failure ??= error;
    this.#settle();
  }

  /**
   * The taker stops: what waits is dropped and items() ends, even if the producer never says `end` (it
   * stops at its next send, refused, without one: a taker still waiting for an item would wait forever).
   */
  stop(): void {
    this.#items.length = 0;
    this.#ended = true;
    this.#settle();
  }

  #settle(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *items(taken: () => void): AsyncGenerator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        const item = this.#items.shift()!;
        taken();
        yield item;
        continue;
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** The producer's credits: how many items it may still hand over, and a wait for the next. */
class Credits {
  #count: number;
  #wake: (() => void) | undefined;
  stopped = false;
  readonly #onStop: Promise<void>;
  #resolveStop: (() => void) | undefined;

  constructor(ahead: number) {
    this.#count = ahead;
    this.#onStop = new Promise<void>((resolve) => (this.#resolveStop = resolve));
  }

  get onStop(): Promise<void> {
    return this.#onStop;
  }

  give(): void {
    this.#count++;
    this.#wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.#resolveStop?.();
    this.#wake?.();
  }

  /** Takes a credit, waiting for one; false once stopped. */
  async take(): Promise<boolean> {
    while (this.#count === 0 && !this.stopped) await new Promise<void>((resolve) => (this.#wake = resolve));
    if (this.stopped) return false;
    this.#count--;
    return true;
  }
}

/** Both ends in one thread. */
export function localFlow<T>(ahead: number): { outlet: Outlet<T>; inlet: Inlet<T> } {
  const credits = new Credits(ahead);
  const waiting = new Waiting<T>();
  return {
    outlet: {
      send: async (item) => (await credits.take()) && (waiting.push(item), true),
      end: () => waiting.end(),
      fail: (error) => waiting.fail(error as Error),
      stopped: credits.onStop,
    },
    inlet: {
      items: () => waiting.items(() => credits.give()),
      stop: () => {
        credits.stop();
        waiting.stop();
      },
    },
  };
}

/**
 * The producing end over a MessagePort (the taker is `portInlet` on the other end). `transfer` names what
 * of an item moves to the other thread instead of being copied (its buffers).
 */
export function portOutlet<T>(port: MessagePort, ahead: number, transfer: (item: T) => ArrayBuffer[] = () => []): Outlet<T> {
  const credits = new Credits(ahead);
  const post = (message: Message<T>, list: ArrayBuffer[] = []): void => port.postMessage(message, list);
  port.on('message', (reply: Reply) => (reply.type === 'credit' ? credits.give() : credits.stop()));
  return {
    send: async (item) => (await credits.take()) && (post({ type: 'item', item }, transfer(item)), true),
    end: () => post({ type: 'end' }),
    fail: (error) => post({ type: 'error', error: toTransferable(error) }),
    stopped: credits.onStop,
  };
}

/** The taking end over a MessagePort. */
export function portInlet<T>(port: MessagePort): Inlet<T> & { failed(error: Error): void } {
  const waiting = new Waiting<T>();
  port.on('message', (message: Message<T>) => {
    if (message.type === 'item') waiting.push(message.item);
    else if (message.type === 'end') waiting.end();
    else if (message.type === 'error') waiting.fail(fromTransferable(message.error));
  });
  // A port closed from this side (the stage is being stopped): nothing more will come.
  port.on('close', () => waiting.end());
  const reply = (message: Reply): void => port.postMessage(message);
  return {
    items: () => waiting.items(() => reply({ type: 'credit' })),
    stop: () => {
      reply({ type: 'stop' });
      waiting.stop();
    },
    failed: (error) => waiting.fail(error),
  };
}
