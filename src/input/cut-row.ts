import type { OpenedInput, SourceRow } from './source.js';

/**
 * The row that ends an input whose download broke off (OpenedInput.cut) before row `row`: no row, only
 * where and why, for the run to stop there. Undefined when the input was not cut.
 */
export function cutRow(input: OpenedInput, line: number, row: number): SourceRow | undefined {
  const reason = input.cut?.();
  if (reason === undefined) return undefined;
  return { file: input.file, line, row, cut: `${input.file}: the input was cut at row ${row}: the download broke off (${reason}) after ${row - 1} whole rows, which were read` };
}
