import { readFile } from 'node:fs/promises';
import { BulkError } from '../errors.js';
import type { ColumnMap } from './header.js';

/** Reads a `--map` file: a JSON object of CSV header → property name (or `attr.<name>`), or null to drop. */
export async function loadColumnMap(file: string): Promise<ColumnMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BulkError('BULK_MAP_INVALID', `Invalid --map: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulkError('BULK_MAP_INVALID', `Invalid --map: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BulkError('BULK_MAP_INVALID', `Invalid --map: ${file} must be a JSON object {"CSV header": "property" | null}`);
  }
  for (const [header, target] of Object.entries(value)) {
    if (target !== null && typeof target !== 'string') {
      throw new BulkError('BULK_MAP_INVALID', `Invalid --map: "${header}" must map to a property name or null, got ${JSON.stringify(target)}`);
    }
  }
  return value as ColumnMap;
}
