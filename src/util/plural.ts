/** A count as the command line's summaries write it: `12,000`. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count and its noun, the noun plural unless the count is 1: `1 cell`, `3 cells`, `0 rows` (`format`: how the count is written). */
export function counted(n: number, noun: string, format: (n: number) => string = String): string {
  return `${format(n)} ${noun}${n === 1 ? '' : 's'}`;
}
