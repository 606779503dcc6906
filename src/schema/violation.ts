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
