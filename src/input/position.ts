import type { OpenedInput } from './source.js';

/**
 * How far a reader's rows reach into its input, for progress (`Source.position`). The parser's byte
 * offset after its last row, not the file stream's count: that one runs up to a read-ahead buffer
 * (256 KiB) in front of the rows, and a progress bar that counts it runs ahead of the rows, then stalls.
 * A gzip stream's offsets are in decompressed bytes, which the file's size is not: there the compressed
 * bytes the decompressor took stand in.
 */
export class Position {
  readonly #input: OpenedInput;
  #at = 0;

  constructor(input: OpenedInput) {
    this.#input = input;
  }

  /** The parser has read up to byte `offset` of the (decompressed) input. */
  parsed(offset: number): void {
    this.#at = offset;
  }

  /** The input is read to its end (or closed early). */
  ended(): void {
    this.#at = this.#input.bytesRead();
  }

  /** In the units of the input's size. */
  readonly at = (): number => (this.#input.decompressed ? this.#input.bytesRead() : this.#at);
}
