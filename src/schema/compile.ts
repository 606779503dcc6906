import { Ajv } from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { BulkError } from '../errors.js';
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

/**
 * The one Ajv set-up for every schema: all errors, formats, union types; strict for our own schemas (a
 * user's may carry keywords Ajv does not know). `allErrors` costs CPU on unbounded input; every record
 * reaching Ajv is bounded by --max-record-size, so we can afford to report every violation. The build
 * compiles the bundled schemas with this same set-up (scripts/build-schemas.js), as standalone code.
 */
export function newAjv(strict: boolean, extra: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict, logger: false, ...extra, code: { regExp: lenientRegExp, ...extra.code } });
  addFormats(ajv);
  return ajv;
}

/** Compiles a schema at run time (a user's `--schema`); the bundled ones are compiled at build time. */
export function compileWithAjv(loaded: LoadedSchema): ValidateFunction {
  try {
    return newAjv(loaded.bundled).compile(loaded.schema);
  } catch (error) {
    throw new BulkError('BULK_SCHEMA_INVALID', `not a valid JSON Schema: ${(error as Error).message}`, { file: loaded.file, cause: error });
  }
}
