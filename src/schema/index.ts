export { loadSchema, bundledSchemaPath, readBundledSchema, SCHEMAS_DIR } from './load.js';
export type { LoadedSchema } from './load.js';
export { compileSchema, formatViolation } from './validate.js';
export type { RecordValidator } from './validate.js';
