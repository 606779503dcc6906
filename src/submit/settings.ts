import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { OptionError } from '../errors.js';
import { KINDS } from '../kinds.js';
import type { Kind } from '../kinds.js';
import { errorBudget, flagDefault, numberDefault, textDefault, timeZone } from '../options.js';
import type { ErrorBudget } from '../options.js';
import { loadRecordSpec } from '../prepare/index.js';
import type { PrepareSettings, ReadSettings } from '../prepare/index.js';
import { defaultReportPath } from '../report/index.js';
import type { Stats } from '../report/index.js';

/** Everything one run can be told; unset options take the defaults of the options table (src/options.ts). */
export interface RunOptions {
  readonly files: readonly string[];
  readonly kind?: Kind | undefined;
  /** A schema file instead of the kind's bundled one. */
  readonly schemaFile?: string | undefined;
  /** A `--map` file: `{"CSV header": "property" | null}`. */
  readonly mapFile?: string | undefined;
  /** An ES module whose default export `(record, row) => record | null` reshapes each mapped row (README: Transforming rows). */
  readonly transform?: string | undefined;
  /** The IANA time zone (`Europe/Paris`, `UTC`) in which a date-time without an offset is read. */
  readonly timezone?: string | undefined;
  /** Input format when the file name does not tell (required for stdin). */
  readonly format?: ReadSettings['format'];
  readonly delimiter?: string | undefined;
  readonly encoding?: 'utf8' | 'latin1' | undefined;
  readonly trim?: boolean | undefined;
  /** NDJSON: convert scalar types to what the schema wants before validating. */
  readonly coerce?: boolean | undefined;
  readonly maxRecordSize?: number | undefined;
  /** Extra trusted CA certificates (PEM text), for https:// and s3:// inputs and the endpoint behind a private CA. */
  readonly ca?: string | undefined;
  /** Process only the rows whose row number mod `count` equals `index`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
  /** Rows per request: 1 uses the single-record endpoint, 2–1000 the kind's many-* endpoint. */
  readonly batchSize?: number | undefined;
  readonly report?: string | undefined;
  readonly rejects?: string | undefined;
  /** Overwrite an existing report (and rejects) file. */
  readonly force?: boolean | undefined;
  /** What `-` reads (default process.stdin). */
  readonly stdin?: Readable | undefined;
  /** Counts to watch while the run goes, for progress. */
  readonly stats?: Stats | undefined;
}

/** What submit() takes beyond what validate() does. */
export interface SubmitOptions extends RunOptions {
  readonly endpoint?: string | undefined;
  /** API path instead of the kind's own. */
  readonly path?: string | undefined;
  /** Headers for every request, credentials included. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Allow credentials over plain http to a host that is not loopback. */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly concurrency?: number | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retries?: number | undefined;
  /**
   * Requests per second, at most, of this process; 0 = unlimited. Unset, the options table's default,
   * divided by N with `shard` K/N: the API's spike arrest counts every process of a product together.
   */
  readonly rate?: number | undefined;
  /** Stop (aborted: BULK_OUTAGE) once every request has failed for this long. */
  readonly maxOutageMs?: number | undefined;
  /** After an interrupt, how long requests in flight may take to finish. */
  readonly drainTimeoutMs?: number | undefined;
  /**
   * Stop (aborted: BULK_MAX_ERRORS) once this many rows are invalid or rejected, or (`'2%'`) more than
   * this share of the rows so far, judged from the 100th row on; 0 = never.
   */
  readonly maxErrors?: ErrorBudget | undefined;
  /** Send a batch that is not full once its first row has waited this long (ms). */
  readonly batchWaitMs?: number | undefined;
  /** Give rows without an eventId a deterministic one. */
  readonly generateEventId?: boolean | undefined;
  /** Read, map and validate only, as validate() does. */
  readonly dryRun?: boolean | undefined;
  /** Continue the report: skip rows it has as accepted (if unchanged), re-send the rest, append. */
  readonly resume?: boolean | undefined;
  /** Aborting it stops reading, lets in-flight requests finish (--drain-timeout), and returns the summary. */
  readonly signal?: AbortSignal | undefined;
  /** Receives a function that writes buffered report lines synchronously, for a process about to exit at once. */
  readonly onEmergencyFlush?: ((flush: () => void) => void) | undefined;
}

/** The sending half of the settings; absent for validate and --dry-run. */
export interface SendSettings {
  readonly endpoint: URL;
  readonly apiPath: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly ca: string | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly rate: number;
  /** Where the rate came from: --rate, the default, or the default shared by the N shards of --shard K/N. */
  readonly rateFrom: RateFrom;
  readonly maxOutageMs: number;
  readonly drainTimeoutMs: number;
}

/** Where a run's request rate came from: `--rate`, the default, or the default divided by the N shards. */
export type RateFrom = { readonly by: 'option' } | { readonly by: 'default' } | { readonly by: 'shards'; readonly total: number; readonly shards: number };

/** One run's settings, every default applied, checked before anything is opened. */
export interface Settings {
  readonly command: 'submit' | 'validate';
  readonly prepare: PrepareSettings;
  /** Undefined when nothing is sent (validate, --dry-run). */
  readonly send: SendSettings | undefined;
  /** --max-errors: a count of rows (0 = never), or a share of the rows so far. */
  readonly maxErrors: { readonly count: number } | { readonly share: number };
  readonly reportPath: string;
  readonly rejectsPath: string | undefined;
  readonly resume: boolean;
  readonly force: boolean;
}

function checkNumbers(options: SubmitOptions): void {
  const atLeast = (name: string, value: number | undefined, min: number, max = Infinity): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new OptionError(`Invalid ${name}: must be a whole number from ${min}${max === Infinity ? ' up' : ` to ${max}`}, got ${value}`);
    }
  };
  atLeast('--concurrency', options.concurrency, 1);
  atLeast('--retries', options.retries, 0);
  if (typeof options.maxErrors === 'number') atLeast('--max-errors', options.maxErrors, 0);
  atLeast('--timeout', options.timeoutMs, 1);
  atLeast('--batch-size', options.batchSize, 1, 1000);
  const { shard } = options;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && shard.index >= 0 && shard.index < shard.count)) {
    throw new OptionError(`Invalid --shard: K/N with 0 ≤ K < N, got ${shard.index}/${shard.count}`);
  }
}

/**
 * Checks the options and applies the defaults: one place, before anything is opened or sent. Loads the
 * schema (and --map), since the batch size depends on it: batches only where results can be matched to
 * rows by eventId and the path is the kind's own.
 */
export async function resolveSettings(command: 'submit' | 'validate', options: SubmitOptions): Promise<Settings> {
  if (options.files.length === 0) throw new OptionError('no input files given');
  if (options.files.filter((f) => f === '-').length > 1) throw new OptionError('stdin (-) can be read only once per run');
  checkNumbers(options);
  const sending = command === 'submit' && !options.dryRun;
  if (options.resume && !sending) throw new OptionError('--resume continues the report of a run that sent rows, and --dry-run sends none: drop one of them');
  const kind = options.kind ?? (textDefault('kind') as Kind);
  const { schema, map, canCarryEventId } = await loadRecordSpec({ kind, schemaFile: options.schemaFile, mapFile: options.mapFile });
  const generateEventId = options.generateEventId ?? flagDefault('no-generate-event-id');
  const ownPath = options.schemaFile === undefined && options.path === undefined;
  const batchSize = options.batchSize ?? (ownPath && generateEventId && canCarryEventId ? numberDefault('batch-size') : 1);
  if (batchSize > 1 && sending && (!canCarryEventId || !generateEventId)) {
    throw new OptionError(
      canCarryEventId
        ? '--batch-size above 1 needs an eventId on every row to match results to rows: drop --no-generate-event-id'
        : '--batch-size above 1 needs an eventId property in the schema to match results to rows; use --batch-size 1',
    );
  }
  const prepare: PrepareSettings = {
    files: options.files,
    read: {
      format: options.format,
      delimiter: options.delimiter,
      encoding: options.encoding ?? (textDefault('encoding') as 'utf8' | 'latin1'),
      trim: options.trim ?? flagDefault('no-trim'),
      maxRecordSize: options.maxRecordSize ?? numberDefault('max-record-size'),
      ca: options.ca,
    },
    shard: options.shard,
    schema,
    map,
    transform: options.transform === undefined ? undefined : { file: options.transform, url: pathToFileURL(resolve(options.transform)).href },
    timezone: options.timezone === undefined ? undefined : checkedZone(options.timezone),
    coerce: options.coerce ?? false,
    generateEventId,
    sending,
    batchSize,
    batchWaitMs: options.batchWaitMs ?? numberDefault('batch-wait'),
    keepCells: options.rejects !== undefined,
  };
  return {
    command,
    prepare,
    send: sending ? sendSettings(options, kind, batchSize) : undefined,
    maxErrors: budgetOf(options.maxErrors ?? numberDefault('max-errors')),
    reportPath: options.report ?? defaultReportPath(options.files, sending ? 'submit' : 'validate'),
    rejectsPath: options.rejects,
    resume: options.resume ?? false,
    force: options.force ?? false,
  };
}

/** --timezone as the command line checks it, for the library's callers. */
function checkedZone(zone: string): string {
  try {
    return timeZone(zone);
  } catch (error) {
    throw new OptionError(`Invalid --timezone: ${(error as Error).message}`);
  }
}

/** `10` → a count; `'2%'` → a share (0.02), checked as the command line checks it. */
function budgetOf(budget: ErrorBudget): Settings['maxErrors'] {
  if (typeof budget === 'number') return { count: budget };
  try {
    return { share: Number.parseFloat(String(errorBudget(budget))) / 100 };
  } catch (error) {
    throw new OptionError(`Invalid --max-errors: ${(error as Error).message}`);
  }
}

/** --rate, or the default; with --shard K/N and no --rate, the default divided by N (all N share the spike arrest). */
function rateOf(options: SubmitOptions): { rate: number; rateFrom: RateFrom } {
  if (options.rate !== undefined) return { rate: options.rate, rateFrom: { by: 'option' } };
  const total = numberDefault('rate');
  const shards = options.shard?.count ?? 1;
  if (shards === 1) return { rate: total, rateFrom: { by: 'default' } };
  return { rate: total / shards, rateFrom: { by: 'shards', total, shards } };
}

/** 127.0.0.0/8, ::1 and localhost: plain http there never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function sendSettings(options: SubmitOptions, kind: Kind, batchSize: number): SendSettings {
  if (!options.endpoint) throw new OptionError('no endpoint: pass --endpoint URL or set BULK_SUBMIT_ENDPOINT');
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    throw new OptionError(`Invalid --endpoint: must be a URL like https://api.sandbox.asapp.com, got "${options.endpoint}"`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new OptionError(`Invalid --endpoint: must be an http or https URL, got "${options.endpoint}"`);
  }
  const headers = options.headers ?? {};
  const carriesSecrets = Object.keys(headers).some((name) => /secret|authorization|api-id|token|key/i.test(name));
  if (endpoint.protocol === 'http:' && carriesSecrets && !isLoopback(endpoint.hostname) && !options.allowInsecureHttp) {
    throw new OptionError(`refusing to send credentials over plain http to ${endpoint.host}: use https, or pass --allow-insecure-http if this network is trusted`, 'BULK_INSECURE_HTTP');
  }
  return {
    endpoint,
    apiPath: options.path ?? (batchSize > 1 ? KINDS[kind].many : KINDS[kind].single),
    headers,
    ca: options.ca,
    concurrency: options.concurrency ?? numberDefault('concurrency'),
    timeoutMs: options.timeoutMs ?? numberDefault('timeout'),
    retries: options.retries ?? numberDefault('retries'),
    ...rateOf(options),
    maxOutageMs: options.maxOutageMs ?? numberDefault('max-outage'),
    drainTimeoutMs: options.drainTimeoutMs ?? numberDefault('drain-timeout'),
  };
}
