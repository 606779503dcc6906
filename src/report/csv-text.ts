/**
 * One CSV line (RFC 4180): a cell is quoted when it holds a delimiter, quote, line break or edge
 * whitespace, with quotes doubled. Written by hand because it runs once per report row on the hot path,
 * where csv-stringify's stream machinery would cost more than the four lines below.
 */
export function csvLine(cells: readonly (string | number | null | undefined)[], delimiter = ','): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i];
    const text = value === null || value === undefined ? '' : String(value);
    const quote =
      text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') || text !== text.trim();
    line += (i === 0 ? '' : delimiter) + (quote ? `"${text.replace(/"/g, '""')}"` : text);
  }
  return `${line}\n`;
}
