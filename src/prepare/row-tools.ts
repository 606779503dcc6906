import { fieldsOf, loadZone } from '../mapping/index.js';
import type { ZoneReader } from '../mapping/index.js';
import { validatorFor } from '../schema/index.js';
import type { RecordValidator } from '../schema/index.js';
import type { PrepareSettings } from './prepare-settings.js';
import { loadTransform } from './transform.js';
import type { Transform } from './transform.js';

/** What preparing rows needs beyond the settings, loaded where rows are mapped, before the first one. */
export interface RowTools {
  readonly validate: RecordValidator;
  /** --transform's function, when one is given. */
  readonly transform: Transform | undefined;
  /** --timezone's zone, when one is given and the schema has a date-time property to read in it. */
  readonly zone: ZoneReader | undefined;
}

/**
 * Compiles (or loads) the validator, imports the --transform module and the date library, all at once.
 * Rejects with the typed error of the first that fails: the stage then refuses the run before anything
 * is sent. A run without --transform or --timezone loads neither.
 */
export async function loadRowTools(settings: PrepareSettings): Promise<RowTools> {
  const { timezone, transform } = settings;
  const readsZones = timezone !== undefined && [...fieldsOf(settings.schema.schema).values()].some((field) => field.isDateTime);
  const [validate, transformFn, zone] = await Promise.all([
    validatorFor(settings.schema),
    transform === undefined ? undefined : loadTransform(transform),
    readsZones ? loadZone(timezone) : undefined,
  ]);
  return { validate, transform: transformFn, zone };
}
