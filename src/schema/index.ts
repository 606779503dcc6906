export { loadSchema, bundledSchemaPath, readBundledSchema, SCHEMAS_DIR } from './load.js';
export type { JsonSchema, LoadedSchema } from './load.js';
export { validatorFor } from './validate.js';
export type { RecordValidator } from './validate.js';
export { formatViolation, shown, violationKey, violationsOf, violationsText } from './violation.js';
