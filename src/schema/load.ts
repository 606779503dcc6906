import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BulkError } from '../errors.js';
import { KINDS } from '../kinds.js';
import type { Kind } from '../kinds.js';

/** The parts of a JSON Schema that bulk-submit reads itself (mapping); anything else is left to Ajv. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  [keyword: string]: unknown;
}

/** Folder of the bundled schemas (`schemas/` at the package root, beside `dist/`). */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export interface LoadedSchema {
  readonly schema: JsonSchema;
  /** Path it was read from. */
  readonly file: string;
  /** A bundled schema (checked in strict mode) rather than a user's. */
  readonly bundled: boolean;
  /** The record kind of a bundled schema; undefined for a user's. */
  readonly kind?: Kind | undefined;
}

/** A bundled schema, read synchronously: for messages about a header meant for another kind. */
export function readBundledSchema(kind: Kind): JsonSchema {
  return JSON.parse(readFileSync(bundledSchemaPath(kind), 'utf8')) as JsonSchema;
}

/** Path of the bundled schema for a kind. */
export function bundledSchemaPath(kind: Kind): string {
  return `${SCHEMAS_DIR}${KINDS[kind].schema}`;
}

/** Reads a schema file: the bundled one for `kind`, or the user's `file`. */
export async function loadSchema(source: { kind: Kind; file?: string | undefined }): Promise<LoadedSchema> {
  const bundled = source.file === undefined;
  const file = source.file ?? bundledSchemaPath(source.kind);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BulkError('BULK_SCHEMA_INVALID', `cannot read the schema (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file, cause: error });
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new BulkError('BULK_SCHEMA_INVALID', `the schema is not valid JSON: ${(error as Error).message}`, { file, cause: error });
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new BulkError('BULK_SCHEMA_INVALID', 'the schema must be a JSON object', { file });
  }
  const record = schema as JsonSchema;
  if (record.type !== undefined && record.type !== 'object') {
    throw new BulkError('BULK_SCHEMA_INVALID', `the schema must describe an object (type "object"), got type ${JSON.stringify(record.type)}`, { file });
  }
  return { schema: record, file, bundled, kind: bundled ? source.kind : undefined };
}
