import { KIND_NAMES } from '../kinds.js';
import type { Kind } from '../kinds.js';
import { fieldsOf } from '../mapping/index.js';
import type { OtherKind } from '../mapping/index.js';
import { readBundledSchema } from '../schema/index.js';

/**
 * The bundled kinds other than `kind`, for a header that fits one of them better (a forgotten --kind):
 * read only when a header has columns that match nothing. None for a user's schema (kind undefined).
 */
export function otherKinds(kind: Kind | undefined): OtherKind[] {
  if (kind === undefined) return [];
  return KIND_NAMES.filter((other) => other !== kind).map((other) => ({ name: other, fields: fieldsOf(readBundledSchema(other)) }));
}
