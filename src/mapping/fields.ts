import type { JsonSchema } from '../schema/index.js';

export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'any';

/** One top-level property of the record, as mapping needs to know it. */
export interface Field {
  readonly name: string;
  readonly kind: FieldKind;
  /** For arrays: the kind of each item. */
  readonly itemKind: FieldKind;
  /** The property is the `[{name, value}]` list that `attr.*` columns fill. */
  readonly isAttributes: boolean;
  /** `"format": "date-time"`: sent as RFC 3339, read in --timezone when it has no offset (date-time.ts). */
  readonly isDateTime: boolean;
}

const KINDS = new Set<FieldKind>(['string', 'integer', 'number', 'boolean', 'array', 'object']);

function kindOf(schema: JsonSchema | undefined): FieldKind {
  if (!schema) return 'any';
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter((t) => t !== 'null');
  if (types.length === 1 && KINDS.has(types[0] as FieldKind)) return types[0] as FieldKind;
  if (types.length === 0 && Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string' || v === null)) {
    return 'string';
  }
  return 'any';
}

/** Reads the top-level properties of a record schema, once per run. */
export function fieldsOf(schema: JsonSchema): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const kind = kindOf(property);
    const itemKind = kind === 'array' ? kindOf(property.items) : 'any';
    const isAttributes =
      name === 'attributes' && kind === 'array' && itemKind === 'object' && Boolean(property.items?.properties?.['name']);
    fields.set(name, { name, kind, itemKind, isAttributes, isDateTime: property.format === 'date-time' });
  }
  return fields;
}
