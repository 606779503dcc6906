import { KIND_NAMES } from '../kinds.js';
import { apiPath, bytes, concurrency, collectFile, collectHeader, delimiter, duration, ERROR_SHARE_FROM_ROWS, errorBudget, httpUrl, integer, latency, metricsJob, outage, positiveDuration, share, shard, timeZone } from './parsers.js';

/**
 * One table of options, after npm-check-updates' cli-options.ts: every flag is declared once here,
 * with its env name, parser, default and help text, and feeds commander, the environment and --help.
 */
export type CommandName = 'submit' | 'validate' | 'serve' | 'report' | 'ledger';

export interface OptionSpec {
  /** Commander flags, e.g. `--concurrency <n>`. */
  readonly flags: string;
  readonly description: string;
  readonly group: 'Input' | 'Endpoint' | 'Sending' | 'Output' | 'Server' | 'Fault injection';
  readonly commands: readonly CommandName[];
  /** The default, declared here and nowhere else: the library applies it with resolveOptions(). */
  readonly defaultValue?: string | number | boolean;
  /** How the default reads in --help and docs/options.md when it is not the literal value. */
  readonly defaultText?: string;
  /**
   * The run applies the default, not the command line, because it depends on other options (the batch
   * size is 1 with a custom schema): commander leaves the option unset, and --help says the rule.
   */
  readonly appliedByRun?: true;
  /** Text (or, from a library caller or a config file, the value itself) → the checked value; see parsers.ts. */
  readonly parse?: (value: never, previous: unknown) => unknown;
  readonly choices?: readonly string[];
  /** Environment variable; by default `BULK_SUBMIT_` + the long name in upper snake case. */
  readonly env?: string | false;
  /**
   * The command line's own: how it prints, where it writes for monitoring, what it reads for the library
   * (--header-file, with the credentials in the environment, becomes `header`). The library's options
   * (src/index.ts) are every other option of the command, under the same names.
   */
  readonly cliOnly?: true;
  /** Repeatable (`--inputs a --inputs b`, `-H x -H y`): its parser adds each to the ones before. */
  readonly repeatable?: true;
}

const IO = ['submit', 'validate'] as const;
/** Options that say how inputs are read: `report` reads them as submit did, so row numbers agree. */
const READ = [...IO, 'report'] as const;

const TABLE = [
  { flags: '-k, --kind <kind>', description: 'record kind: picks the bundled schema and the API path', group: 'Input', commands: IO, defaultValue: 'conversation', choices: KIND_NAMES },
  { flags: '--schema <file>', description: "JSON Schema for the records instead of the kind's bundled one", group: 'Input', commands: IO, defaultText: "the kind's bundled one" },
  { flags: '-f, --format <format>', description: 'input format when the file name does not tell (required for stdin)', group: 'Input', commands: READ, defaultText: 'from the file name', choices: ['csv', 'ndjson'] },
  { flags: '--map <file>', description: 'JSON {"CSV header": "property" | null} mapping or dropping columns explicitly', group: 'Input', commands: IO },
  { flags: '--transform <file>', description: 'ES module whose default export (record, row) => record | null reshapes each mapped row before validation; null leaves the row out (dropped)', group: 'Input', commands: IO },
  { flags: '--timezone <zone>', description: 'IANA time zone (Europe/Paris, UTC) in which a date-time without an offset is read, and a date alone as its midnight; without it such a value is invalid', group: 'Input', commands: IO, parse: timeZone },
  { flags: '--delimiter <char>', description: 'CSV cell delimiter (, ; | or tab)', group: 'Input', commands: READ, defaultText: 'detected from the header line (, ; tab or |)', parse: delimiter },
  { flags: '--encoding <encoding>', description: 'input encoding: utf8 (invalid bytes make a row invalid) or latin1', group: 'Input', commands: READ, defaultValue: 'utf8', choices: ['utf8', 'latin1'] },
  { flags: '--coerce', description: 'NDJSON: convert numbers and booleans to strings (and numeric strings to numbers) where the schema says so', group: 'Input', commands: IO },
  { flags: '--no-trim', description: 'keep whitespace around unquoted CSV cells', group: 'Input', commands: READ, defaultValue: true, defaultText: 'trim' },
  { flags: '--max-record-size <bytes>', description: 'largest CSV record or NDJSON line', group: 'Input', commands: READ, defaultValue: 1024 * 1024, defaultText: '1MiB', parse: bytes },
  { flags: '--inputs <file>', description: 'input whose every row the reports must have accepted exactly once, named as given to submit (repeat for several); exit 1 lists the rows that are not', group: 'Input', commands: ['report'], parse: collectFile, repeatable: true },
  { flags: '--ca <file>', description: 'extra trusted CA certificates (PEM) for a private CA, for https:// and s3:// inputs and the endpoint; NODE_EXTRA_CA_CERTS works too', group: 'Input', commands: IO },

  { flags: '-e, --endpoint <url>', description: 'API base URL, e.g. https://api.sandbox.asapp.com', group: 'Endpoint', commands: ['submit'] },
  { flags: '--path <path>', description: "API path instead of the kind's own (with --schema, loads any JSON API)", group: 'Endpoint', commands: ['submit'], defaultText: "the kind's single or many-* path", parse: apiPath },
  { flags: '--header-file <file>', description: 'file of "Name: value" header lines (# comments): keeps secrets off the command line', group: 'Endpoint', commands: ['submit'], cliOnly: true },
  { flags: '--allow-insecure-http', description: 'allow credentials over plain http to a host that is not loopback', group: 'Endpoint', commands: ['submit'] },
  { flags: '-H, --header <header>', description: 'extra request header "Name: value" (repeatable)', group: 'Endpoint', commands: ['submit'], parse: collectHeader, repeatable: true, env: false },

  {
    flags: '--accept-answer <rule>',
    description:
      "which answers accept a row: api = only the Metadata Ingestion API's documented answers (a single answer naming the eventId with a blank error, a many answer listing it, a 409); json = for another JSON API (--path, --schema), any JSON 2xx without an error",
    group: 'Endpoint',
    commands: ['submit'],
    defaultValue: 'api',
    defaultText: "api; json with a --path that is not one of the API's",
    appliedByRun: true,
    choices: ['api', 'json'],
  },
  { flags: '--max-answer-size <bytes>', description: "most bytes of an answer read, inflated ones included (the API's largest, a many answer of 1000 items, is about 100KB); past it the request is cut and its rows failed", group: 'Endpoint', commands: ['submit'], defaultValue: 1024 * 1024, defaultText: '1MiB', parse: bytes },
  { flags: '-c, --concurrency <n|auto>', description: 'most requests in flight; auto finds it from the round-trip time (up to 64, or auto:N up to N)', group: 'Sending', commands: ['submit'], defaultValue: 8, parse: concurrency },
  { flags: '--timeout <duration>', description: 'time limit for one request, from sending it to the last byte of the answer (250ms, 30s, 10m, 1h or ms)', group: 'Sending', commands: ['submit'], defaultValue: 30_000, defaultText: '30s', parse: positiveDuration },
  { flags: '--retries <n>', description: 'retries of a failed request (network error, timeout, 408, 429, 5xx)', group: 'Sending', commands: ['submit'], defaultValue: 5, parse: integer(0, 100) },
  { flags: '--rate <n>', description: "requests per second at most, of this process (the API's spike arrest is 100 for all processes together); 0 = unlimited; backs off on 429", group: 'Sending', commands: ['submit'], defaultValue: 100, defaultText: '100, shared: 100/N each with --shard K/N', appliedByRun: true, parse: integer(0) },
  { flags: '--max-outage <duration>', description: 'when every request fails, probe with backoff; abort (exit 3) after this long', group: 'Sending', commands: ['submit'], defaultValue: 600_000, defaultText: '10m', parse: duration },
  { flags: '--drain-timeout <duration>', description: 'after Ctrl-C or SIGTERM, how long requests in flight may take to finish', group: 'Sending', commands: ['submit'], defaultValue: 10_000, defaultText: '10s', parse: duration },
  { flags: '--max-errors <n|n%>', description: `abort (exit 3) once this many rows are invalid or rejected, or (2%) more than this share of the rows read so far, sent or not (judged from row ${ERROR_SHARE_FROM_ROWS} on); 0 = never`, group: 'Sending', commands: ['submit'], defaultValue: 0, defaultText: '0 (never)', parse: errorBudget },
  { flags: '-b, --batch-size <n>', description: "rows per request: 1 = the single-record endpoint, 2–1000 = the kind's many-* endpoint", group: 'Sending', commands: IO, defaultValue: 1000, defaultText: '1000 (1 with --schema, --path or --event-ids service)', appliedByRun: true, parse: integer(1, 1000) },
  { flags: '--batch-wait <duration>', description: 'send a batch that is not full once its first row has waited this long', group: 'Sending', commands: ['submit'], defaultValue: 200, defaultText: '200ms', parse: duration },
  { flags: '--shard <K/N>', description: 'process only rows whose row number mod N is K (N machines or processes together send every row once)', group: 'Input', commands: IO, parse: shard },
  {
    flags: '--event-ids <rule>',
    description:
      'how a row without an eventId gets one: content = from the record (the same record has the same id in any file, line, shard or night, and a row that repeats an earlier one of the run is sent once, reported duplicate); position = from its position and record (identical rows are distinct events); service = none, the service makes one',
    group: 'Sending',
    commands: ['submit'],
    defaultValue: 'content',
    defaultText: "content; on --resume, the report's own",
    appliedByRun: true,
    choices: ['content', 'position', 'service'],
  },
  { flags: '--no-generate-event-id', description: 'the same as --event-ids service (kept for earlier scripts)', group: 'Sending', commands: ['submit'], defaultValue: true, defaultText: 'generate' },
  {
    flags: '--daily-quota <n>',
    description:
      "requests allowed a UTC day (the API's quota: past it every request gets 429 until 00:00 UTC): the run stops (exit 3) or waits (--at-quota) when the day's requests reach it, counted across runs and processes with --ledger, within the run without; with --shard K/N each process takes at most its Nth",
    group: 'Sending',
    commands: IO,
    defaultText: '50000, 10000 for api.sandbox.asapp.com; none for a loopback endpoint or a --path not the API\'s',
    appliedByRun: true,
    parse: integer(1),
  },
  { flags: '--at-quota <action>', description: "when the day's quota is spent: stop (exit 3; --resume goes on) or wait until 00:00 UTC and go on", group: 'Sending', commands: ['submit'], defaultValue: 'stop', choices: ['stop', 'wait'] },
  { flags: '-n, --dry-run', description: 'read, map and validate only; send nothing', group: 'Sending', commands: ['submit'] },

  { flags: '-r, --report <file>', description: 'per-row report (.ndjson, or .csv for CSV)', group: 'Output', commands: IO, defaultText: '<first input>.report.ndjson' },
  { flags: '--rejects <file>', description: 'rows not accepted, in the input format with _line, _error, _eventId: fix and feed back', group: 'Output', commands: IO },
  { flags: '--resume', description: 'continue the report: skip rows it has as accepted, re-send the rest with the same eventIds, append', group: 'Output', commands: ['submit'] },
  { flags: '--force', description: 'overwrite an existing report or rejects file', group: 'Output', commands: IO },
  { flags: '--summary <file>', description: 'also write the summary as JSON to this file (for monitoring)', group: 'Output', commands: IO, cliOnly: true },
  { flags: '--metrics-file <file>', description: "write the run's metrics in Prometheus text format (node_exporter's textfile collector) at the end of every run, atomically", group: 'Output', commands: IO, cliOnly: true },
  { flags: '--pushgateway <url>', description: 'push the same metrics to a Prometheus Pushgateway at the end (grouped by --metrics-job, and shard)', group: 'Output', commands: IO, parse: httpUrl, cliOnly: true },
  { flags: '--metrics-job <name>', description: "the job's name on every metric (label bulk_job): keep it the same every night", group: 'Output', commands: IO, defaultText: "the --config file's name, else the first input's name without its dates and extensions", parse: metricsJob, cliOnly: true },
  { flags: '--html <file>', description: "also write a self-contained HTML page of the run (its charts over time, summary, top errors, rows per file), finished, aborted or interrupted; report: the reports' tables", group: 'Output', commands: ['submit', 'report'], cliOnly: true },
  { flags: '--progress-interval <duration>', description: 'without a terminal: print a progress line this often', group: 'Output', commands: IO, defaultValue: 30_000, defaultText: '30s', parse: duration, cliOnly: true },
  { flags: '--no-color', description: 'no colour (NO_COLOR is honoured too)', group: 'Output', commands: IO, defaultValue: true, defaultText: 'colour on a terminal', env: false, cliOnly: true },
  {
    flags: '--ledger <file>',
    description:
      'the ledger: a SQLite file of the eventIds the service accepted and the requests sent per UTC day and endpoint host (created when missing; shared by the processes of one machine). submit skips the rows whose eventIds it holds (reported skipped, with the day) and counts the day\'s quota in it across runs; validate and --dry-run count what earlier runs spent today',
    group: 'Output',
    commands: [...IO, 'ledger'],
  },
  { flags: '--json', description: 'print the summary as one JSON object on stdout', group: 'Output', commands: [...READ, 'ledger'], cliOnly: true },
  { flags: '-q, --quiet', description: 'print only errors', group: 'Output', commands: IO, cliOnly: true },
  { flags: '--list <n>', description: 'list at most this many rows that are not accepted exactly once (the counts are always complete)', group: 'Output', commands: ['report'], defaultValue: 100, parse: integer(0) },
  { flags: '--config <file>', description: 'JSON file of settings, keys = long option names in camelCase (flags > env > file > defaults)', group: 'Output', commands: ['submit', 'validate', 'serve', 'report'], cliOnly: true },
  { flags: '--print-config', description: 'print the effective settings and where each came from (secrets redacted), then exit', group: 'Output', commands: ['submit', 'validate', 'serve', 'report'], env: false, cliOnly: true },
  { flags: '--debug', description: 'show stack traces', group: 'Output', commands: [...READ, 'serve', 'ledger'], cliOnly: true },

  { flags: '-p, --port <port>', description: 'port to listen on (0 = any free port)', group: 'Server', commands: ['serve'], defaultValue: 8080, parse: integer(0, 65535) },
  { flags: '--host <host>', description: 'address to listen on', group: 'Server', commands: ['serve'], defaultValue: '127.0.0.1' },
  { flags: '--store <file>', description: 'append accepted records to this NDJSON file', group: 'Server', commands: ['serve'] },
  { flags: '--api-id <id>', description: 'require this asapp-api-id (env ASAPP_API_ID)', group: 'Server', commands: ['serve'], env: 'ASAPP_API_ID' },
  { flags: '--seed <n>', description: 'seed for every injected fault: the same seed, the same faults', group: 'Fault injection', commands: ['serve'], defaultValue: 1, parse: integer(0) },
  { flags: '--fail-rate <share>', description: 'answer this share of requests 503 without storing (0.2 or 20%)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--latency <ms[:jitter]>', description: 'delay every answer, e.g. 50ms or 50ms:20ms', group: 'Fault injection', commands: ['serve'], parse: latency },
  { flags: '--capacity <n>', description: 'work on at most n requests at once, each --latency long; the rest wait their turn, so latency grows with load past n', group: 'Fault injection', commands: ['serve'], parse: integer(1) },
  { flags: '--rate-limit <n>', description: 'allow n requests a second; past it 429 with Retry-After', group: 'Fault injection', commands: ['serve'], parse: integer(1) },
  { flags: '--daily-quota <n>', description: 'allow n requests a UTC day; past it 429 until 00:00 UTC', group: 'Fault injection', commands: ['serve'], parse: integer(1), env: 'BULK_SUBMIT_SERVE_DAILY_QUOTA' },
  { flags: '--drop-rate <share>', description: 'destroy the socket of this share of requests before answering (nothing stored)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--accept-then-fail <share>', description: 'store this share of requests, then answer 500 (the duplicate trap)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--html-rate <share>', description: 'answer this share of requests 200 with an HTML sign-in page, as a captive portal or a proxy in the way does (nothing stored); 1 = every request', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--outage <after:duration>', description: 'refuse connections for DURATION, starting AFTER from start, e.g. 30s:2m', group: 'Fault injection', commands: ['serve'], parse: outage },
  { flags: '--api-secret <secret>', description: 'require this asapp-api-secret (env ASAPP_API_SECRET)', group: 'Server', commands: ['serve'], env: 'ASAPP_API_SECRET' },
] as const satisfies readonly OptionSpec[];

/** Every option, as commander, the environment, --config, --help and docs/options.md see it. */
export const OPTIONS: readonly OptionSpec[] = TABLE;

/** The table's rows with their literal types, from which the options' types are derived (option-types.ts). */
export type TableRow = (typeof TABLE)[number];


/** An option's key in flags, config files and the library's options: `--max-record-size` → maxRecordSize, `--no-trim` → trim. */
export function optionKey(spec: OptionSpec): string {
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(spec.flags)?.[1] ?? '';
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** How an option is named in messages: `--max-record-size`, `--no-trim`. */
export function optionFlag(spec: OptionSpec): string {
  return /--[a-z0-9-]+/.exec(spec.flags)?.[0] ?? spec.flags;
}
