import type { Kind } from '../kinds.js';
import { fieldsOf, loadColumnMap } from '../mapping/index.js';
import type { ColumnMap } from '../mapping/index.js';
import { loadSchema } from '../schema/index.js';
import type { LoadedSchema } from '../schema/index.js';

/** What the records are: their schema, the --map of columns onto it, and whether they carry an eventId. */
export interface RecordSpec {
  readonly schema: LoadedSchema;
  readonly map: ColumnMap | undefined;
  /** The schema has an `eventId` property: rows can carry one, and batch results be matched by it. */
  readonly canCarryEventId: boolean;
}

/** Loads the schema (the kind's bundled one, or a user's) and the --map file; refuses either if broken. */
export async function loadRecordSpec(source: { kind: Kind; schemaFile?: string | undefined; mapFile?: string | undefined }): Promise<RecordSpec> {
  const schema = await loadSchema({ kind: source.kind, file: source.schemaFile });
  const map = source.mapFile === undefined ? undefined : await loadColumnMap(source.mapFile);
  return { schema, map, canCarryEventId: fieldsOf(schema.schema).has('eventId') };
}
