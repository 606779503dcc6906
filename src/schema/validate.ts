import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SchemaError } from '../errors.js';
import { shown } from '../mapping/index.js';
import type { LoadedSchema } from './load.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

/**
 * How patterns are compiled. JSON Schema patterns are ECMA-262 regular expressions, and the API's own
 * published patterns (`^[a-zA-Z0-9\-\_]+$`, `[a-zA-Z0-9\-\_\.\@]+`) escape characters that need no
 * escape: valid ECMA-262, but a syntax error under the `u` flag Ajv compiles with. Each pattern is
 * compiled with `u` first (full Unicode: `.` and classes match code points, `\p{…}` works) and only when
 * that is a syntax error, without it. The cost falls on those patterns alone: `.` and negated classes
 * then match one UTF-16 unit, so a character outside the BMP counts as two, and `\p{L}` means `p{L}`.
 * A pattern that is no ECMA-262 regular expression at all still refuses the schema.
 */
export const lenientRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    try {
      return new RegExp(pattern, flags);
    } catch (error) {
      if (!flags.includes('u')) throw error;
      return new RegExp(pattern, flags.replace('u', ''));
    }
  },
  // Ajv names the engine by this in generated code; a runtime compile keeps the function itself.
  { code: 'lenientRegExp' },
);

/** Checks records against one compiled schema. */
export interface RecordValidator {
  /** Every violation as `property: rule (got "value")`; empty when the record is valid. */
  (record: unknown): string[];
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

/** Turns Ajv's structured error into our one-line message. */
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
      return `${propertyPath(error.instancePath)}: must be ${bound} ${String(params['limit'])} characters${length}${got(value)}`;
    }
    case 'type':
      return `${propertyPath(error.instancePath)}: must be ${String(params['type']).split(',').join(' or ')}${got(value)}`;
    default:
      return `${propertyPath(error.instancePath)}: ${error.message ?? error.keyword}${got(value)}`;
  }
}

/**
 * Compiles a schema once with Ajv (allErrors, formats). `allErrors` costs CPU on unbounded input; every
 * record reaching it is bounded by --max-record-size, so we can afford to report every violation.
 */
export function compileSchema(loaded: LoadedSchema): RecordValidator {
  const ajv = new Ajv({
    allErrors: true,
    allowUnionTypes: true,
    // Our own schemas must be strict-clean; a user's schema may carry keywords Ajv doesn't know.
    strict: loaded.bundled,
    logger: false,
    code: { regExp: lenientRegExp },
  });
  addFormats(ajv);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(loaded.schema);
  } catch (error) {
    throw new SchemaError(`not a valid JSON Schema: ${(error as Error).message}`, loaded.file, error);
  }
  return (record: unknown): string[] => {
    if (validate(record)) return [];
    // validate.errors is overwritten by the next call: format now.
    return (validate.errors ?? []).map((e) => formatViolation(e, record));
  };
}
