import type { OpenedInput } from './source.js';

/**
 * How far a reader's rows reach into its input, for progress (`Source.position`). The parser's byte
 * offset after its last row, not the file stream's count: that one runs up to a read-ahead buffer
 * (256 KiB) in front of the rows, and a progress bar that counts it runs ahead of the rows, then stalls.
 * A gzip stream's offsets are in decompressed bytes, which the file's size is not: there the parser's
 * offset is scaled by the ratio so far (compressed bytes the decompressor took, over the bytes it gave).
 * The compressed count alone runs ahead of the rows by every decompressed byte held between the
 * decompressor and the parser (up to 512 KiB of buffers, several thousand rows), and more so the better
 * the file compresses.
 */
export class Position {
  readonly #input: OpenedInput;
  #at = 0;
  #ended = false;

  constructor(input: OpenedInput) {
    this.#input = input;
  }

  /** The parser has read up to byte `offset` of the (decompressed) input. */
  parsed(offset: number): void {
    this.#at = offset;
  }

  /** The input is read to its end (or closed early). */
  ended(): void {
    this.#ended = true;
    this.#at = this.#input.bytesRead();
  }

  /** In the units of the input's size. */
  readonly at = (): number => {
    if (!this.#input.decompressed || this.#ended) return this.#at;
    const compressed = this.#input.bytesRead();
    const inflated = this.#input.inflated?.() ?? 0;
    if (inflated <= 0 || this.#at >= inflated) return compressed;
    return Math.min(compressed, Math.round((this.#at * compressed) / inflated));
  };
}
