import type { Field, FieldKind } from './fields.js';
import type { Column } from './header.js';
import { PREVIOUS_EVENT_ID } from './header.js';
import { shown } from '../schema/index.js';

/** A row turned into a record, with the conversion problems found on the way. */
export interface Mapped {
  record: Record<string, unknown>;
  /** `property: rule (got "value")` lines; a row with any is invalid. */
  errors: string[];
  /** eventId carried in a `_eventId` column or field (a re-fed rejects file), if any. */
  previousEventId?: string;
}

/**
 * A number as a cell may write it (docs/guide.md, "How a CSV row becomes a record"): an optional sign,
 * digits with an optional point and fraction (`1.`, `.5`), an optional exponent; whitespace around it is
 * ignored. `NaN`, `Infinity`, hex and separators are not numbers.
 */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Digits with a thousands separator or a decimal comma between them: `1,000`, `1 000`, `1'000`, `1.000,5`. */
const SEPARATED = /^[+-]?[\d.]*\d[,'_ ]\d[\d.,'_ ]*$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, y: true, n: false, '1': true, '0': false };
const LARGEST = Number.MAX_SAFE_INTEGER;

type Converted = { ok: true; value: unknown } | { ok: false; rule: string };

/** Whether a number's text has a non-zero digit after its point once the exponent has moved it (`1.50e1` has not). */
function hasFraction(text: string): boolean {
  if (!/[.eE]/.test(text)) return false;
  const [mantissa, exponent = '0'] = text.toLowerCase().split('e');
  const [whole, fraction = ''] = mantissa.replace(/^[+-]/, '').split('.');
  const point = whole.length + Number(exponent);
  return /[1-9]/.test((whole + fraction).slice(Math.max(point, 0)));
}

/** An integer is a number with a zero fractional part (`1.0`, `1e3`), as JSON Schema has it, that a double holds exactly. */
function toInteger(text: string): Converted {
  if (!NUMBER.test(text)) return { ok: false, rule: SEPARATED.test(text) ? 'must be an integer, written without thousands separators' : 'must be an integer' };
  if (hasFraction(text)) return { ok: false, rule: 'must be an integer: it has a fractional part' };
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return { ok: false, rule: `must be an integer from -${LARGEST} to ${LARGEST} (beyond, JSON parsers lose digits)` };
  return { ok: true, value: value + 0 }; // -0 is sent as 0
}

/** A number JSON can carry: finite (`1e400` is not). */
function toNumber(text: string): Converted {
  if (!NUMBER.test(text)) {
    return { ok: false, rule: SEPARATED.test(text) ? 'must be a number, written without thousands separators and with . before decimals' : 'must be a number' };
  }
  const value = Number(text);
  return Number.isFinite(value) ? { ok: true, value: value + 0 } : { ok: false, rule: 'must be a number a double can hold (up to about 1.8e308)' };
}

/** Converts one cell (or array item) from text to the JSON type the schema wants. */
function convert(text: string, kind: FieldKind): Converted {
  switch (kind) {
    case 'integer':
      return toInteger(text.trim());
    case 'number':
      return toNumber(text.trim());
    case 'boolean': {
      const value = BOOLEANS[text.trim().toLowerCase()];
      return value === undefined ? { ok: false, rule: 'must be true or false' } : { ok: true, value };
    }
    case 'object':
    case 'array': {
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch {
        return { ok: false, rule: `must be ${kind === 'array' ? 'a JSON array or a ;-separated list' : 'a JSON object'}` };
      }
    }
    default:
      return { ok: true, value: text };
  }
}

/** Converts a cell for an array property: JSON when it starts with `[`, else split on `;`. */
function convertArray(text: string, field: Field): Converted {
  if (text.startsWith('[')) {
    const parsed = convert(text, 'array');
    if (parsed.ok && !Array.isArray(parsed.value)) return { ok: false, rule: 'must be a JSON array or a ;-separated list' };
    return parsed;
  }
  const items: unknown[] = [];
  for (const part of text.split(';')) {
    const item = part.trim();
    if (item === '') continue;
    const converted = convert(item, field.itemKind);
    if (!converted.ok) return { ok: false, rule: `each item ${converted.rule}` };
    items.push(converted.value);
  }
  return { ok: true, value: items };
}

/**
 * Turns a CSV row's cells into a record by the plan resolveHeader made for the file. An empty cell
 * omits its property; `attr.*` cells become `attributes: [{name, value}]` in column order, and a row
 * with none sends no `attributes`.
 */
export function mapCells(columns: readonly Column[], cells: readonly string[]): Mapped {
  const record: Record<string, unknown> = {};
  const errors: string[] = [];
  let attributes: { name: string; value: string }[] | undefined;
  let previousEventId: string | undefined;
  for (const column of columns) {
    const cell = cells[column.index];
    if (cell === undefined || cell === '') continue;
    switch (column.target) {
      case 'ignore':
        break;
      case 'previousEventId':
        previousEventId = cell;
        break;
      case 'attribute':
        (attributes ??= []).push({ name: column.name, value: cell });
        break;
      case 'property': {
        const field = column.field;
        const converted = field.kind === 'array' ? convertArray(cell, field) : convert(cell, field.kind);
        if (converted.ok) record[field.name] = converted.value;
        else errors.push(`${field.name}: ${converted.rule} (got ${shown(cell)})`);
        break;
      }
    }
  }
  if (attributes) record['attributes'] = attributes;
  return previousEventId === undefined ? { record, errors } : { record, errors, previousEventId };
}

/** --coerce: a scalar of the wrong JSON type, turned into the one the schema wants when that is lossless. */
function coerced(value: unknown, kind: FieldKind): unknown {
  if (kind === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  if (typeof value === 'string' && (kind === 'integer' || kind === 'number' || kind === 'boolean') && value !== '') {
    const converted = convert(value, kind);
    return converted.ok ? converted.value : value;
  }
  return value;
}

/**
 * Takes an NDJSON object as the record, dropping fields that start with `_` (notes, rejects columns).
 * With `coerceBy` (--coerce), scalars of the wrong type are converted by the schema's field kinds;
 * without it they are left for validation to refuse.
 */
export function mapObject(value: Record<string, unknown>, coerceBy?: Map<string, Field>): Mapped {
  let record = value;
  let previousEventId: string | undefined;
  for (const key of Object.keys(value)) {
    if (key.startsWith('_')) {
      if (record === value) record = { ...value };
      if (key === PREVIOUS_EVENT_ID && typeof value[key] === 'string') previousEventId = value[key];
      delete record[key];
      continue;
    }
    const field = coerceBy?.get(key);
    if (!field) continue;
    const original = value[key];
    const next = Array.isArray(original) && field.kind === 'array' ? original.map((item) => coerced(item, field.itemKind)) : coerced(original, field.kind);
    if (next !== original && (!Array.isArray(next) || next.some((item, i) => item !== (original as unknown[])[i]))) {
      if (record === value) record = { ...value };
      record[key] = next;
    }
  }
  return previousEventId === undefined ? { record, errors: [] } : { record, errors: [], previousEventId };
}
