import { HeaderError } from '../errors.js';
import type { Field } from './fields.js';

/** What one CSV column turns into. */
export type Column =
  | { readonly index: number; readonly header: string; readonly target: 'property'; readonly field: Field }
  | { readonly index: number; readonly header: string; readonly target: 'attribute'; readonly name: string }
  | { readonly index: number; readonly header: string; readonly target: 'ignore' }
  /** `_eventId`: the eventId a previous run gave this row (rejects files carry it), reused when re-fed. */
  | { readonly index: number; readonly header: string; readonly target: 'previousEventId' };

/** Column (and NDJSON field) in which a rejects file carries the eventId its row was sent with. */
export const PREVIOUS_EVENT_ID = '_eventId';

/** `--map` file contents: CSV header → property name, `attr.<name>`, or null to drop the column. */
export type ColumnMap = Record<string, string | null>;

const ATTR_PREFIX = /^attr\./i;

/** Header text compared loosely: case-insensitive, ignoring spaces, `_`, `-` and `.`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** Levenshtein distance, for "did you mean" hints on unknown columns. */
function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** The property whose name is closest to `header`. */
export function closestProperty(header: string, fields: Map<string, Field>): string | undefined {
  const wanted = normalizeName(header);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of fields.keys()) {
    const d = distance(wanted, normalizeName(name));
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Resolves `attr.<name>` targets and property names given in a `--map` file. */
function targetFor(index: number, header: string, target: string, fields: Map<string, Field>): Column | undefined {
  const field = fields.get(target);
  if (field) return { index, header, target: 'property', field };
  const attributes = [...fields.values()].find((f) => f.isAttributes);
  if (attributes && ATTR_PREFIX.test(target) && target.length > 5) {
    return { index, header, target: 'attribute', name: target.slice(5) };
  }
  return undefined;
}

/**
 * Resolves a CSV header onto the schema's properties, once per file. A header matches a property
 * exactly, else loosely (see normalizeName); `attr.<name>` fills `attributes`; a header starting with
 * `_` is ignored; `map` overrides all of that. Any column that matches nothing refuses the file: a
 * misspelt header must never silently drop a column.
 */
export function resolveHeader(header: string[], fields: Map<string, Field>, file: string, map: ColumnMap = {}): Column[] {
  const loose = new Map<string, Field>();
  for (const field of fields.values()) loose.set(normalizeName(field.name), field);
  const attributesField = [...fields.values()].find((f) => f.isAttributes);

  const firstSeen = new Map<string, number>();
  header.forEach((text, index) => {
    const earlier = firstSeen.get(text);
    if (earlier !== undefined && text.trim() !== '') {
      throw new HeaderError('BULK_HEADER_DUPLICATE', `column "${text}" appears twice (columns ${earlier + 1} and ${index + 1}); rename or remove one`, file);
    }
    firstSeen.set(text, index);
  });
  const columns: Column[] = [];
  const unknown: string[] = [];
  header.forEach((text, index) => {
    if (text.trim() === '') {
      throw new HeaderError('BULK_HEADER_EMPTY', `column ${index + 1} has an empty header name; name it, or name it _ignored to skip it`, file);
    }
    if (Object.hasOwn(map, text)) {
      const target = map[text];
      if (target === null || target === undefined) {
        columns.push({ index, header: text, target: 'ignore' });
        return;
      }
      const column = targetFor(index, text, target, fields);
      if (!column) {
        throw new HeaderError('BULK_HEADER_UNKNOWN', `--map sends column "${text}" to "${target}", which is not a property of the schema`, file);
      }
      columns.push(column);
      return;
    }
    if (text === PREVIOUS_EVENT_ID) {
      columns.push({ index, header: text, target: 'previousEventId' });
      return;
    }
    if (text.startsWith('_')) {
      columns.push({ index, header: text, target: 'ignore' });
      return;
    }
    const field = fields.get(text) ?? loose.get(normalizeName(text));
    if (field) {
      columns.push({ index, header: text, target: 'property', field });
    } else if (attributesField && ATTR_PREFIX.test(text) && text.length > 5) {
      columns.push({ index, header: text, target: 'attribute', name: text.slice(5) });
    } else {
      const hint = closestProperty(text, fields);
      unknown.push(hint ? `"${text}" (closest property: ${hint})` : `"${text}"`);
    }
  });
  if (unknown.length > 0) {
    throw new HeaderError(
      'BULK_HEADER_UNKNOWN',
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; rename ${unknown.length > 1 ? 'them' : 'it'}, map with --map, or start the header with _ to ignore it. Nothing was sent`,
      file,
    );
  }

  const seen = new Map<string, string>();
  for (const column of columns) {
    const key = column.target === 'property' ? column.field.name : column.target === 'attribute' ? `attr.${column.name}` : undefined;
    if (key === undefined) continue;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new HeaderError('BULK_HEADER_DUPLICATE', `columns "${other}" and "${column.header}" both map to ${key}; keep one, or map one to null with --map`, file);
    }
    seen.set(key, column.header);
  }
  return columns;
}
