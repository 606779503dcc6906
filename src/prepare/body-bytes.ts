/** Request bodies written as UTF-8, back to back, into one buffer of its own (so it can be transferred). */
export class BodyBytes {
  #buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafeSlow(capacity);
  }

  /** Appends text; returns where it ends. */
  write(text: string): number {
    // At most three bytes a UTF-16 unit: room for that, so write() never cuts the text short.
    this.#reserve(text.length * 3);
    this.length += this.#buffer.write(text, this.length, 'utf8');
    return this.length;
  }

  /** Appends bytes as they are; returns where they end. */
  append(bytes: Uint8Array): number {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this.length;
  }

  /** The bytes from `from` to `to`: a view, not a copy. */
  bytes(from: number, to: number): Uint8Array {
    return this.#buffer.subarray(from, to);
  }

  #reserve(more: number): void {
    if (this.length + more <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.length + more, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.length);
    this.#buffer = grown;
  }
}
