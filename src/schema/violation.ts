import type { ErrorObject } from 'ajv';
import { counted } from '../util/plural.js';

/** A value for a message, cut to 80 characters: strings quoted, anything else as JSON (`7`, `null`). */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return typeof value === 'string' ? JSON.stringify(cut) : cut;
}

/** `/attributes/0/value` → `attributes[0].value`. */
function propertyPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let path = '';
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  return path === '' ? '(record)' : path;
}

function valueAt(record: unknown, pointer: string): unknown {
  let value = record;
  for (const part of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** Turns Ajv's structured error into our one-line message: `property: rule (got "value")`. */
export function formatViolation(error: ErrorObject, record: unknown): string {
  const params = error.params as Record<string, unknown>;
  const got = (value: unknown): string => (value === undefined ? '' : ` (got ${shown(value)})`);
  const value = valueAt(record, error.instancePath);
  switch (error.keyword) {
    case 'required':
      return `${propertyPath(error.instancePath, String(params['missingProperty']))}: is required`;
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      return `${propertyPath(error.instancePath, name)}: is not a property of the schema${got((value as Record<string, unknown>)[name])}`;
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).filter((v) => v !== null).map(String).join(', ');
      return `${propertyPath(error.instancePath)}: must be one of ${allowed}${got(value)}`;
    }
    case 'pattern':
      return `${propertyPath(error.instancePath)}: must match ${String(params['pattern'])}${got(value)}`;
    case 'maxLength':
    case 'minLength': {
      const length = typeof value === 'string' ? `, ${[...value].length} given` : '';
      const bound = error.keyword === 'maxLength' ? 'at most' : 'at least';
      return `${propertyPath(error.instancePath)}: must be ${bound} ${counted(Number(params['limit']), 'character')}${length}${got(value)}`;
    }
    case 'type':
      return `${propertyPath(error.instancePath)}: must be ${String(params['type']).split(',').join(' or ')}${got(value)}`;
    default:
      return `${propertyPath(error.instancePath)}: ${error.message ?? error.keyword}${got(value)}`;
  }
}

/** Between two violations in a row's error text, and nowhere else in it (violationsText). */
const SEPARATOR = '; ';
/** A `; ` within one violation, as violationsText writes it: a no-break space after the `;`, which reads the same. */
const WITHIN = ';\u00a0';

/**
 * A row's error text: its violations (or the one problem that stopped it) joined by `; `. A `; ` within
 * one (a quoted value, a date-time's advice, a transform's message) is written with a no-break space after
 * the `;`, so that `; ` only ever separates two violations and violationsOf() gives them back exactly.
 */
export function violationsText(violations: readonly string[]): string {
  return violations.map((violation) => violation.replaceAll(SEPARATOR, WITHIN)).join(SEPARATOR);
}

/** An invalid row's error text (violationsText) back as its violations, in order. */
export function violationsOf(error: string): string[] {
  return error.split(SEPARATOR);
}

/**
 * What a violation is counted by among the top errors: its property and rule, not the value. From
 * `attributes[3].value: must be at most 1024 characters, 1025 given (got "…")` it keeps
 * `attributes[].value: must be at most 1024 characters`: the position in an array, the length given and
 * the `(got …)` value dropped. Cut to 200 characters.
 */
export function violationKey(violation: string): string {
  const colon = violation.indexOf(': ');
  const property = colon < 0 ? '' : violation.slice(0, colon).replace(/\[\d+\]/g, '[]');
  const rule = (colon < 0 ? violation : violation.slice(colon))
    .replace(/ \(got .*\)$/s, '')
    .replace(/, \d+ given$/, '')
    .replaceAll(WITHIN, SEPARATOR);
  return (property + rule).slice(0, 200);
}
