import { BulkError } from '../errors.js';
import { CLOSE_EDITS_PER_CHARACTER, editDistance } from '../util/closest.js';
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

/** Shortest name that may match another by prefix or suffix (`Agent ID` → `externalAgentId`). */
const AFFIX_MIN_LENGTH = 4;

/**
 * The property whose name is close to `header`, if one is: within a quarter of its length in edits
 * (`Devise Type` → deviceType), or one name the prefix or suffix of the other (`Agent ID` →
 * externalAgentId). A far "closest" name misleads more than it helps, so otherwise none.
 */
export function closestProperty(header: string, fields: Map<string, Field>): string | undefined {
  const wanted = normalizeName(header);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of fields.keys()) {
    const candidate = normalizeName(name);
    const [shorter, longer] = wanted.length <= candidate.length ? [wanted, candidate] : [candidate, wanted];
    const affix = shorter.length >= AFFIX_MIN_LENGTH && (longer.startsWith(shorter) || longer.endsWith(shorter));
    const score = editDistance(wanted, candidate) / longer.length;
    if ((affix || score <= CLOSE_EDITS_PER_CHARACTER) && score < bestScore) {
      best = name;
      bestScore = score;
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

/** A schema's properties, compiled for matching header names against them. */
interface Matcher {
  readonly fields: Map<string, Field>;
  readonly loose: Map<string, Field>;
  readonly attributes: Field | undefined;
}

function matcherOf(fields: Map<string, Field>): Matcher {
  const loose = new Map<string, Field>();
  for (const field of fields.values()) loose.set(normalizeName(field.name), field);
  return { fields, loose, attributes: [...fields.values()].find((f) => f.isAttributes) };
}

/** What a header name means by itself (no --map): a property, an attribute, ignored, or nothing. */
function matchName(text: string, index: number, matcher: Matcher): Column | undefined {
  if (text === PREVIOUS_EVENT_ID) return { index, header: text, target: 'previousEventId' };
  if (text.startsWith('_')) return { index, header: text, target: 'ignore' };
  const field = matcher.fields.get(text) ?? matcher.loose.get(normalizeName(text));
  if (field) return { index, header: text, target: 'property', field };
  if (matcher.attributes && ATTR_PREFIX.test(text) && text.length > 5) return { index, header: text, target: 'attribute', name: text.slice(5) };
  return undefined;
}

/** Another record kind the header may have been meant for: its name and its properties. */
export interface OtherKind {
  readonly name: string;
  readonly fields: Map<string, Field>;
}

/**
 * The other kind whose properties match the header better than this schema does, if one does: a
 * header of another kind (a forgotten --kind) is told as such, not as a list of unknown columns.
 */
function betterKind(header: readonly string[], unknownCount: number, others: Iterable<OtherKind>): { name: string; unknown: number } | undefined {
  let best: { name: string; unknown: number } | undefined;
  for (const other of others) {
    const matcher = matcherOf(other.fields);
    const unknown = header.filter((text, index) => matchName(text, index, matcher) === undefined).length;
    if (unknown < unknownCount && (best === undefined || unknown < best.unknown)) best = { name: other.name, unknown };
  }
  return best;
}

/** How a header is resolved, beyond the schema's own properties. */
export interface HeaderOptions {
  /** `--map`: CSV header → property (or `attr.<name>`), or null to drop the column. */
  readonly map?: ColumnMap | undefined;
  /** The record kind the schema is for (`conversation`), for messages; undefined for a user's schema. */
  readonly kind?: string | undefined;
  /** The other record kinds, read only when a column matches nothing (a header meant for one of them). */
  readonly others?: (() => Iterable<OtherKind>) | undefined;
  /** --transform: a column that matches nothing is left out of the record, not refused (the transform reads it). */
  readonly unknownIgnored?: boolean | undefined;
}

/** The message for columns that match nothing: the better-fitting kind first, when there is one. */
function unknownColumnsMessage(header: readonly string[], unknown: readonly string[], fields: Map<string, Field>, options: HeaderOptions): string {
  const hinted = unknown.map((text) => {
    const hint = closestProperty(text, fields);
    return hint ? `"${text}" (closest property: ${hint})` : `"${text}"`;
  });
  const many = unknown.length > 1;
  const advice = many ? 'rename them, map with --map, or start their headers with _ to ignore them. Nothing was sent' : 'rename it, map with --map, or start the header with _ to ignore it. Nothing was sent';
  const kind = options.others && betterKind(header, unknown.length, options.others());
  if (!kind) return `unknown column${many ? 's' : ''} ${hinted.join(', ')}; ${advice}`;
  const listed = unknown.slice(0, 5).map((text) => `"${text}"`).join(', ') + (unknown.length > 5 ? ', …' : '');
  const fit =
    kind.unknown === 0
      ? `these columns are the ${kind.name} record's: pass --kind ${kind.name}`
      : `these columns look like the ${kind.name} record's (it has properties for ${header.length - kind.unknown} of ${header.length}): pass --kind ${kind.name} and fix the rest`;
  const ours = options.kind === undefined ? 'this schema' : `the ${options.kind} record`;
  const are = many ? 'are not properties' : 'is not a property';
  return `${fit} (${unknown.length} of ${header.length} ${are} of ${ours}: ${listed}). Nothing was sent`;
}

/**
 * Resolves a CSV header onto the schema's properties, once per file. A header matches a property
 * exactly, else loosely (see normalizeName); `attr.<name>` fills `attributes`; a header starting with
 * `_` is ignored; `map` overrides all of that. Any column that matches nothing refuses the file: a
 * misspelt header must never silently drop a column; a header meant for another kind is told as such.
 * Only with a transform (`unknownIgnored`), which reads such columns itself, are they left out instead.
 */
export function resolveHeader(header: string[], fields: Map<string, Field>, file: string, options: HeaderOptions = {}): Column[] {
  const map = options.map ?? {};
  const matcher = matcherOf(fields);
  const firstSeen = new Map<string, number>();
  header.forEach((text, index) => {
    const earlier = firstSeen.get(text);
    if (earlier !== undefined && text.trim() !== '') {
      throw new BulkError('BULK_HEADER_DUPLICATE', `column "${text}" appears twice (columns ${earlier + 1} and ${index + 1}); rename or remove one`, { file, line: 1 });
    }
    firstSeen.set(text, index);
  });
  const columns: Column[] = [];
  const unknown: string[] = [];
  header.forEach((text, index) => {
    if (text.trim() === '') {
      throw new BulkError('BULK_HEADER_EMPTY', `column ${index + 1} has an empty header name; name it, or name it _ignored to skip it`, { file, line: 1 });
    }
    if (Object.hasOwn(map, text)) {
      const target = map[text];
      if (target === null || target === undefined) {
        columns.push({ index, header: text, target: 'ignore' });
        return;
      }
      const column = targetFor(index, text, target, fields);
      if (!column) {
        throw new BulkError('BULK_HEADER_UNKNOWN', `--map sends column "${text}" to "${target}", which is not a property of the schema`, { file, line: 1 });
      }
      columns.push(column);
      return;
    }
    const column = matchName(text, index, matcher);
    if (column) columns.push(column);
    else if (options.unknownIgnored) columns.push({ index, header: text, target: 'ignore' });
    else unknown.push(text);
  });
  if (unknown.length > 0) throw new BulkError('BULK_HEADER_UNKNOWN', unknownColumnsMessage(header, unknown, fields, options), { file, line: 1 });

  const seen = new Map<string, string>();
  for (const column of columns) {
    const key = column.target === 'property' ? column.field.name : column.target === 'attribute' ? `attr.${column.name}` : undefined;
    if (key === undefined) continue;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new BulkError('BULK_HEADER_DUPLICATE', `columns "${other}" and "${column.header}" both map to ${key}; keep one, or map one to null with --map`, { file, line: 1 });
    }
    seen.set(key, column.header);
  }
  return columns;
}
