// The class alone: the ledger's index also exports the report importer, which the preparing stage must not load.
import { Ledger } from '../ledger/ledger.js';
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
  /** --ledger, read-only (sending runs): which eventIds the service accepted in earlier runs, and when. */
  readonly ledger: LedgerLookUp | undefined;
}

/** What the stage asks of the ledger: the UTC day each of these eventIds was accepted, for those it holds. */
export interface LedgerLookUp {
  acceptedDays(eventIds: readonly string[]): Map<string, string>;
  close(): void;
}

/**
 * Compiles (or loads) the validator, imports the --transform module and the date library, all at once.
 * Rejects with the typed error of the first that fails: the stage then refuses the run before anything
 * is sent. A run without --transform or --timezone loads neither; one without --ledger loads no SQLite.
 */
export async function loadRowTools(settings: PrepareSettings): Promise<RowTools> {
  const { timezone, transform } = settings;
  const readsZones = timezone !== undefined && [...fieldsOf(settings.schema.schema).values()].some((field) => field.isDateTime);
  const [validate, transformFn, zone, ledger] = await Promise.all([
    validatorFor(settings.schema),
    transform === undefined ? undefined : loadTransform(transform),
    readsZones ? loadZone(timezone) : undefined,
    // Its own connection, read-only: the main thread opened (or made) the file and checked it is a ledger.
    settings.ledger !== undefined ? Ledger.open(settings.ledger, { readonly: true }) : undefined,
  ]);
  return { validate, transform: transformFn, zone, ledger };
}
