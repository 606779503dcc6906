import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { BulkError } from '../errors.js';
import { isLoopback } from '../util/loopback.js';
import { API_CREDENTIALS, defaultDailyQuota, KINDS } from '../kinds.js';
import { numberDefault, resolveOptions, SECRET_HEADER, textDefault } from '../options/index.js';
import type { ErrorBudget, LibraryOptions, ResolvedOptions } from '../options/index.js';
import { loadRecordSpec } from '../prepare/index.js';
import type { EventIdRule, PrepareSettings } from '../prepare/index.js';
import { defaultReportPath } from '../report/index.js';
import type { Stats } from '../report/index.js';
import type { AnswerRule, SendSettings } from '../send/index.js';

/** The API's own paths: only its documented answers accept a row there, whatever --path says. */
const API_PATHS: ReadonlySet<string> = new Set(Object.values(KINDS).flatMap((kind) => [kind.single, kind.many]));

/** What a caller gives a run beside the options of the table: the inputs, and what the run is watched or stopped by. */
export interface RunInputs {
  readonly files: readonly string[];
  /** What `-` reads (default process.stdin). */
  readonly stdin?: Readable | undefined;
  /** Counts to watch while the run goes, for progress. */
  readonly stats?: Stats | undefined;
}

/**
 * What validate() takes: the validate command's options, under their long names in camelCase
 * (`maxRecordSize`, `trim`), as the options table (src/options/table.ts) declares, checks and defaults
 * them; `schema`, `map`, `transform` and `ca` are file names.
 */
export type RunOptions = RunInputs & LibraryOptions<'validate'>;

/**
 * What submit() takes: the submit command's options, as for validate(); durations in milliseconds,
 * `header` the request headers (credentials included), and what stops the run from outside.
 */
export type SubmitOptions = RunInputs &
  LibraryOptions<'submit'> & {
    /** Aborting it stops reading, lets in-flight requests finish (--drain-timeout), and returns the summary. */
    readonly signal?: AbortSignal | undefined;
    /** Aborting it (after `signal`) cuts off the requests in flight at once, without waiting out --drain-timeout (a second Ctrl-C). */
    readonly hurry?: AbortSignal | undefined;
    /** Receives a function that writes buffered report lines synchronously, for a process about to exit at once. */
    readonly onEmergencyFlush?: ((flush: () => void) => void) | undefined;
    /** Told, in one line, what a run that goes on meanwhile wants said (--at-quota wait: that it waits, and until when). */
    readonly onNotice?: ((message: string) => void) | undefined;
  };

/** The sending half of the settings (absent for validate and --dry-run): what the sender needs, and where the rate came from. */
export interface JobSendSettings extends SendSettings {
  /** Where the rate came from: --rate, the default, or the default shared by the N shards of --shard K/N. */
  readonly rateFrom: RateFrom;
}

/** Where a run's request rate came from: `--rate`, the default, or the default divided by the N shards. */
export type RateFrom = { readonly by: 'option' } | { readonly by: 'default' } | { readonly by: 'shards'; readonly total: number; readonly shards: number };

/** One run's settings, every default applied, checked before anything is opened. */
export interface Settings {
  readonly command: 'submit' | 'validate';
  readonly prepare: PrepareSettings;
  /** Undefined when nothing is sent (validate, --dry-run). */
  readonly send: JobSendSettings | undefined;
  /** --max-errors: a count of rows (0 = never), or a share of the rows read so far. */
  readonly maxErrors: { readonly count: number } | { readonly share: number };
  readonly reportPath: string;
  readonly rejectsPath: string | undefined;
  readonly resume: boolean;
  readonly force: boolean;
  /** --event-ids (or --no-generate-event-id) was given: a resumed report's own rule must then agree with it. */
  readonly eventIdsGiven: boolean;
  /** --ledger: the ledger's file. */
  readonly ledger: string | undefined;
  /** The day's request quota (--daily-quota, --at-quota); undefined when none applies (a loopback endpoint, another API). */
  readonly quota: QuotaSettings | undefined;
}

/** The day's request quota of a run. */
export interface QuotaSettings {
  /** The endpoint host the quota is counted for; undefined for validate (no endpoint): the ledger's busiest host today then. */
  readonly host: string | undefined;
  readonly limit: number;
  readonly from: 'option' | 'default';
  /** With --shard K/N: this process's most a day, its Nth of `limit`. */
  readonly share: { readonly limit: number; readonly shards: number } | undefined;
  readonly atQuota: 'stop' | 'wait';
}

type Resolved = ResolvedOptions<'submit'> & RunInputs;

/** What submit() and validate() take beside the options of the table (RunInputs, SubmitOptions). */
const RUN_INPUTS = ['files', 'stdin', 'stats', 'signal', 'hurry', 'onEmergencyFlush', 'onNotice'] as const;

/**
 * Checks the options (by the options table's rules) and applies the defaults: one place, before anything
 * is opened or sent. Loads the schema (and --map), since the batch size depends on it: batches only where
 * results can be matched to rows by eventId and the path is the kind's own.
 */
export async function resolveSettings(command: 'submit' | 'validate', options: SubmitOptions): Promise<Settings> {
  const o: Resolved = { ...resolveOptions('submit', options, RUN_INPUTS, command), files: options.files, stdin: options.stdin, stats: options.stats };
  if (o.files.length === 0) throw new BulkError('BULK_OPTION_INVALID', 'no input files given');
  if (o.files.filter((f) => f === '-').length > 1) throw new BulkError('BULK_OPTION_INVALID', 'stdin (-) can be read only once per run');
  const sending = command === 'submit' && !o.dryRun;
  if (o.resume && !sending) throw new BulkError('BULK_OPTION_INVALID', '--resume continues the report of a run that sent rows, and --dry-run sends none: drop one of them');
  const spec = await loadRecordSpec({ kind: o.kind, schemaFile: o.schema, mapFile: o.map });
  const ownPath = o.schema === undefined && o.path === undefined;
  const eventIds = eventIdsOf(o);
  const generates = eventIds.rule !== 'service';
  const batchSize = o.batchSize ?? (ownPath && generates && spec.canCarryEventId ? numberDefault('batch-size') : 1);
  if (batchSize > 1 && sending && (!spec.canCarryEventId || !generates)) {
    throw new BulkError(
      'BULK_OPTION_INVALID',
      spec.canCarryEventId
        ? '--batch-size above 1 needs an eventId on every row to match results to rows: drop --event-ids service (--no-generate-event-id)'
        : '--batch-size above 1 needs an eventId property in the schema to match results to rows; use --batch-size 1',
    );
  }
  const ca = o.ca === undefined ? undefined : readOptionFile('--ca', o.ca);
  const send = sending ? sendSettings(o, ca, batchSize) : undefined;
  return {
    command,
    // submit looks rows up in the ledger, --dry-run too (it tells what would be skipped); validate only counts the quota.
    prepare: prepareSettings(o, { ...spec, ca, sending, batchSize, eventIds: eventIds.rule, ledger: command === 'submit' ? o.ledger : undefined }),
    eventIdsGiven: eventIds.given,
    send,
    ledger: o.ledger,
    quota: quotaOf(o, send?.endpoint ?? endpointGiven(o)),
    maxErrors: budgetOf(o.maxErrors),
    reportPath: o.report ?? defaultReportPath(o.files, sending ? 'submit' : 'validate'),
    rejectsPath: o.rejects,
    resume: o.resume ?? false,
    force: o.force ?? false,
  };
}

/** The preparing stage's half of the settings. */
function prepareSettings(o: Resolved, run: Pick<PrepareSettings, 'schema' | 'map' | 'sending' | 'batchSize' | 'eventIds' | 'ledger'> & { ca: string | undefined }): PrepareSettings {
  return {
    files: o.files,
    read: { format: o.format, delimiter: o.delimiter, encoding: o.encoding, trim: o.trim, maxRecordSize: o.maxRecordSize, ca: run.ca },
    shard: o.shard,
    schema: run.schema,
    map: run.map,
    transform: o.transform === undefined ? undefined : { file: o.transform, url: pathToFileURL(resolve(o.transform)).href },
    timezone: o.timezone,
    coerce: o.coerce ?? false,
    eventIds: run.eventIds,
    idScope: o.path ?? o.kind,
    sending: run.sending,
    batchSize: run.batchSize,
    batchWaitMs: o.batchWait,
    keepCells: o.rejects !== undefined,
    ledger: run.ledger,
  };
}

/** --endpoint as a URL when it is given and one (--dry-run, which sends nothing, does not refuse it otherwise). */
function endpointGiven(o: Resolved): URL | undefined {
  try {
    return o.endpoint === undefined ? undefined : new URL(o.endpoint);
  } catch {
    return undefined;
  }
}

/**
 * The day's quota: --daily-quota, or the API's default for the endpoint's host (the sandbox's own, else
 * production's). None by default where the API is not: a loopback endpoint (bulk-submit serve, a test
 * double) or another API's --path. With --shard K/N each process takes at most its Nth.
 */
function quotaOf(o: Resolved, endpoint: URL | undefined): QuotaSettings | undefined {
  const api = o.path === undefined || API_PATHS.has(o.path);
  let limit = o.dailyQuota;
  if (limit === undefined) {
    if (!api || (endpoint !== undefined && isLoopback(endpoint.hostname))) return undefined;
    limit = defaultDailyQuota(endpoint?.hostname);
  }
  const shards = o.shard?.count ?? 1;
  return {
    host: endpoint?.hostname,
    limit,
    from: o.dailyQuota === undefined ? 'default' : 'option',
    share: shards > 1 ? { limit: Math.ceil(limit / shards), shards } : undefined,
    atQuota: o.atQuota,
  };
}

/**
 * --event-ids, or its alias --no-generate-event-id (service), or the default (content); `given` when the
 * command line chose it, so that --resume may keep the report's own rule when it did not.
 */
function eventIdsOf(o: Resolved): { rule: EventIdRule; given: boolean } {
  if (o.generateEventId === false) {
    if (o.eventIds !== undefined && o.eventIds !== 'service') {
      throw new BulkError('BULK_OPTION_INVALID', `--no-generate-event-id is --event-ids service: it cannot go with --event-ids ${o.eventIds}`);
    }
    return { rule: 'service', given: true };
  }
  return o.eventIds === undefined ? { rule: textDefault('event-ids') as EventIdRule, given: false } : { rule: o.eventIds, given: true };
}

/** Reads a file an option names, or says which option could not read it. */
function readOptionFile(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid ${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** `10` → a count; `'2%'` → a share (0.02). */
function budgetOf(budget: ErrorBudget): Settings['maxErrors'] {
  return typeof budget === 'number' ? { count: budget } : { share: Number.parseFloat(budget) / 100 };
}


/** --rate, or the default; with --shard K/N and no --rate, the default divided by N (all N share the spike arrest). */
function rateOf(o: Resolved): { rate: number; rateFrom: RateFrom } {
  if (o.rate !== undefined) return { rate: o.rate, rateFrom: { by: 'option' } };
  const total = numberDefault('rate');
  const shards = o.shard?.count ?? 1;
  if (shards === 1) return { rate: total, rateFrom: { by: 'default' } };
  return { rate: total / shards, rateFrom: { by: 'shards', total, shards } };
}

/** The endpoint, as a URL; refused when it is not one, or when it would carry credentials in the clear. */
function endpointOf(o: Resolved, headers: Readonly<Record<string, string>>): URL {
  if (!o.endpoint) throw new BulkError('BULK_OPTION_INVALID', 'no endpoint: pass --endpoint URL or set BULK_SUBMIT_ENDPOINT');
  let endpoint: URL;
  try {
    endpoint = new URL(o.endpoint);
  } catch {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid --endpoint: must be a URL like https://api.sandbox.asapp.com, got "${o.endpoint}"`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid --endpoint: must be an http or https URL, got "${o.endpoint}"`);
  }
  const carriesSecrets = Object.keys(headers).some((name) => SECRET_HEADER.test(name));
  if (endpoint.protocol === 'http:' && carriesSecrets && !isLoopback(endpoint.hostname) && !o.allowInsecureHttp) {
    throw new BulkError('BULK_INSECURE_HTTP', `refusing to send credentials over plain http to ${endpoint.host}: use https, or pass --allow-insecure-http if this network is trusted`);
  }
  if (!isLoopback(endpoint.hostname) && (o.path === undefined || API_PATHS.has(o.path))) refuseWithoutCredentials(endpoint, headers);
  return endpoint;
}

/**
 * The API answers 401 to every request without its two credential headers: a run that lacks one is
 * refused before it sends anything. A loopback endpoint (`bulk-submit serve`, a test double) and another
 * API (`--path` not the API's, which may authenticate otherwise) are left to their own rules.
 */
function refuseWithoutCredentials(endpoint: URL, headers: Readonly<Record<string, string>>): void {
  const given = new Set(Object.entries(headers).filter(([, value]) => value !== '').map(([name]) => name.toLowerCase()));
  const missing = API_CREDENTIALS.filter((c) => !given.has(c.header));
  if (missing.length === 0) return;
  const names = missing.map((c) => c.env).join(' and ');
  throw new BulkError(
    'BULK_NO_CREDENTIALS',
    `${names} ${missing.length === 1 ? 'is' : 'are'} not set: ${endpoint.host} would refuse every request (401). Set ${missing.length === 1 ? 'it' : 'them'} in the environment (or give ${missing.map((c) => c.header).join(' and ')} with --header-file or -H); nothing was sent`,
  );
}

function sendSettings(o: Resolved, ca: string | undefined, batchSize: number): JobSendSettings {
  const headers = o.header ?? {};
  return {
    endpoint: endpointOf(o, headers),
    apiPath: o.path ?? (batchSize > 1 ? KINDS[o.kind].many : KINDS[o.kind].single),
    headers,
    ca,
    concurrency: typeof o.concurrency === 'number' ? o.concurrency : o.concurrency.max,
    adaptive: typeof o.concurrency !== 'number',
    timeoutMs: o.timeout,
    retries: o.retries,
    ...rateOf(o),
    maxOutageMs: o.maxOutage,
    drainTimeoutMs: o.drainTimeout,
    acceptAnswer: o.acceptAnswer ?? (o.path === undefined || API_PATHS.has(o.path) ? (textDefault('accept-answer') as AnswerRule) : 'json'),
    maxAnswerBytes: o.maxAnswerSize,
  };
}
