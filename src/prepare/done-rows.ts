/**
 * What a resumed run was told of the rows an earlier run got accepted, or found to repeat an accepted
 * one (report/resume.ts reads them from the report): per input, each such row's digest by row number, and
 * the highest row the report names.
 * Plain data, so it crosses into the preparing thread as it is.
 */
export interface AcceptedRowsData {
  /** Digests, 64 bits each as two Uint32 halves at `2 × row`: the first 16 hex digits of the row's hash. */
  readonly digests: Uint32Array;
  /** Bit `row` set: the report has that row as accepted. */
  readonly accepted: Uint8Array;
  readonly maxRow: number;
}

export type DoneRowsData = Readonly<Record<string, AcceptedRowsData>>;

/** What the input's row is, against what the report has as accepted at its position. */
export type RowCheck = 'new' | 'same' | 'changed';

/** A digest (16 hex digits) as its two 32-bit halves. */
function digestHalves(digest: string): [number, number] {
  return [Number.parseInt(digest.slice(0, 8), 16), Number.parseInt(digest.slice(8, 16), 16)];
}

/** The rows an earlier run got accepted, to skip unchanged and to stop at the first that changed. */
export class DoneRows {
  readonly #files: DoneRowsData;

  constructor(files: DoneRowsData) {
    this.#files = files;
  }

  /**
   * `new` when the report does not have the row as accepted (send it), `same` when it does with this
   * digest (skip it), `changed` when it does with another, or the row no longer has one (now invalid).
   */
  check(file: string, row: number, digest: string | null, legacy?: () => string): RowCheck {
    const done = this.#files[file];
    const byte = row >>> 3;
    if (!done || byte >= done.accepted.length || (done.accepted[byte] & (1 << (row & 7))) === 0) return 'new';
    if (digest === null) return 'changed';
    const same = (text: string): boolean => {
      const [high, low] = digestHalves(text);
      return high === done.digests[row * 2] && low === done.digests[row * 2 + 1];
    };
    // A report written before content eventIds keeps the digest of the row's position and record as
    // such (event-id.ts): asked for only when the digest of today's rule differs.
    return same(digest) || (legacy !== undefined && same(legacy())) ? 'same' : 'changed';
  }

  /** The highest row the report names for this input (0 when none): an input with fewer rows changed. */
  maxRow(file: string): number {
    return this.#files[file]?.maxRow ?? 0;
  }
}
