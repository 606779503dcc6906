/** A count and its noun, the noun plural unless the count is 1: `1 cell`, `3 cells`, `0 rows`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
