import type { ValidateFunction } from 'ajv';
import type { LoadedSchema } from './load.js';
import { formatViolation } from './violation.js';

/** Checks records against one compiled schema. */
export interface RecordValidator {
  /** Every violation as `property: rule (got "value")`; empty when the record is valid. */
  (record: unknown): string[];
}

/**
 * The validator for a schema, compiled once. A bundled schema's was compiled at build time into
 * standalone code (dist/schema/bundled.js), so a run loads neither Ajv nor its compiler; a user's
 * `--schema` is compiled now with Ajv. Both are set up alike (schema/compile.ts).
 */
export async function validatorFor(loaded: LoadedSchema): Promise<RecordValidator> {
  let validate: ValidateFunction;
  if (loaded.bundled && loaded.kind !== undefined) {
    // Named from dist/ (`../schema/`), not `./`: the CLI's bundle runs this code from dist/chunks/.
    const bundled = await import('../schema/bundled.js');
    validate = bundled[loaded.kind];
  } else {
    const { compileWithAjv } = await import('./compile.js');
    validate = compileWithAjv(loaded);
  }
  return (record: unknown): string[] => {
    if (validate(record)) return [];
    // validate.errors is overwritten by the next call: format now.
    return (validate.errors ?? []).map((e) => formatViolation(e, record));
  };
}
