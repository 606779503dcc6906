import { counted } from '../util/plural.js';
import type { OpenedInput, SourceRow } from './source.js';

/**
 * The row that ends an input whose download broke off (OpenedInput.cut) before row `row`: no row, only
 * where and why, for the run to stop there. Undefined when the input was not cut.
 */
export function cutRow(input: OpenedInput, line: number, row: number): SourceRow | undefined {
  const reason = input.cut?.();
  if (reason === undefined) return undefined;
  const read = `${counted(row - 1, 'whole row')}, which ${row - 1 === 1 ? 'was' : 'were'} read`;
  return { file: input.file, line, row, cut: `${input.file}: the input was cut at row ${row}: the download broke off (${reason}) after ${read}` };
}
