import { InvalidArgumentError, Option } from 'commander';
import { KIND_NAMES } from './kinds.js';
import { parseDuration } from './util/duration.js';

/**
 * One table of options, after npm-check-updates' cli-options.ts: every flag is declared once here,
 * with its env name, parser, default and help text, and feeds commander, the environment and --help.
 */
export type CommandName = 'submit' | 'validate' | 'serve' | 'report';

export interface OptionSpec {
  /** Commander flags, e.g. `--concurrency <n>`. */
  readonly flags: string;
  readonly description: string;
  readonly group: 'Input' | 'Endpoint' | 'Sending' | 'Output' | 'Server' | 'Fault injection';
  readonly commands: readonly CommandName[];
  /** The default, declared here and nowhere else: the library reads it with defaultOf(). */
  readonly defaultValue?: string | number | boolean;
  /** How the default reads in --help and README when it is not the literal value. */
  readonly defaultText?: string;
  /**
   * The run applies the default, not the command line, because it depends on other options (the batch
   * size is 1 with a custom schema): commander leaves the option unset, and --help says the rule.
   */
  readonly appliedByRun?: true;
  readonly parse?: (value: string, previous: unknown) => unknown;
  readonly choices?: readonly string[];
  /** Environment variable; by default `BULK_SUBMIT_` + the long name in upper snake case. */
  readonly env?: string | false;
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got "${value}"`);
    }
    return n;
  };
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError(`must be a duration like 250ms, 30s, 10m, 1h or milliseconds, got "${value}"`);
  }
}

function bytes(value: string): number {
  const match = /^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$/i.exec(value);
  if (!match) throw new InvalidArgumentError(`must be a size like 1048576, 512KiB or 1MiB, got "${value}"`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}

/** `Name: value` → [name, value]. */
export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError(`must look like "Name: value", got "${line}"`);
  }
  return [name.toLowerCase(), line.slice(colon + 1).trim()];
}

function collectFile(value: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

function collectHeader(value: string, previous: unknown): Record<string, string> {
  const [name, text] = parseHeaderLine(value);
  return { ...(previous as Record<string, string> | undefined), [name]: text };
}

function delimiter(value: string): string {
  const text = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (text.length !== 1 || text === '"' || text === '\n' || text === '\r') {
    throw new InvalidArgumentError(`must be one character such as , ; | or tab, got "${value}"`);
  }
  return text;
}

/** `K/N` → {index: K, count: N}. */
export function shard(value: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) throw new InvalidArgumentError(`must be K/N with 0 ≤ K < N, e.g. 0/4, got "${value}"`);
  return { index, count };
}

function share(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  const n = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`must be a share from 0 to 1 (or 0% to 100%), got "${value}"`);
  return n;
}

/** `50ms` or `50ms:20ms` → {latencyMs, latencyJitterMs}. */
export function latency(value: string): { latencyMs: number; latencyJitterMs: number } {
  const [base = '', jitter] = value.split(':');
  return { latencyMs: duration(base), latencyJitterMs: jitter === undefined ? 0 : duration(jitter) };
}

/** `AFTER:DURATION`, e.g. `30s:2m` → {afterMs, durationMs}. */
export function outage(value: string): { afterMs: number; durationMs: number } {
  const [after, length] = value.split(':');
  if (after === undefined || length === undefined) throw new InvalidArgumentError(`must be AFTER:DURATION such as 30s:2m, got "${value}"`);
  return { afterMs: duration(after), durationMs: duration(length) };
}

/** A share --max-errors judges only from this many rows on: the first few rows say little of a file. */
export const ERROR_SHARE_FROM_ROWS = 100;

/** `--max-errors`: a count (`10`) or a share of the rows so far (`2%`). */
export type ErrorBudget = number | `${number}%`;

/** `10` → 10; `2%` or `2.5%` → the same text, checked. */
export function errorBudget(value: string): ErrorBudget {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent && Number(percent[1]) > 0 && Number(percent[1]) < 100) return `${Number(percent[1])}%`;
  throw new InvalidArgumentError(`must be a count such as 10 or a share above 0% and below 100% such as 2%, got "${value}"`);
}

/** An IANA time zone name (`Europe/Paris`, `UTC`) this Node knows, as Intl names it (`utc` → `UTC`). */
export function timeZone(value: string): string {
  // Newer Nodes take a fixed offset (`+01:00`) as a zone and Node 20 does not: refused on all alike.
  if (/^\s*[+-]/.test(value)) throw new InvalidArgumentError(`must be an IANA time zone name such as Europe/Paris or UTC, not an offset, got "${value}"`);
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidArgumentError(`must be an IANA time zone name such as Europe/Paris or UTC, got "${value}"`);
  }
}

function httpUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidArgumentError(`must be an http or https URL, got "${value}"`);
  return value;
}

function apiPath(value: string): string {
  if (!value.startsWith('/')) throw new InvalidArgumentError(`must start with /, got "${value}"`);
  return value;
}

const IO: readonly CommandName[] = ['submit', 'validate'];
/** Options that say how inputs are read: `report` reads them as submit did, so row numbers agree. */
const READ: readonly CommandName[] = [...IO, 'report'];

const TABLE = [
  { flags: '-k, --kind <kind>', description: 'record kind: picks the bundled schema and the API path', group: 'Input', commands: IO, defaultValue: 'conversation', choices: KIND_NAMES },
  { flags: '--schema <file>', description: "JSON Schema for the records instead of the kind's bundled one", group: 'Input', commands: IO, defaultText: "the kind's bundled one" },
  { flags: '-f, --format <format>', description: 'input format when the file name does not tell (required for stdin)', group: 'Input', commands: READ, defaultText: 'from the file name', choices: ['csv', 'ndjson'] },
  { flags: '--map <file>', description: 'JSON {"CSV header": "property" | null} mapping or dropping columns explicitly', group: 'Input', commands: IO },
  { flags: '--transform <file>', description: 'ES module whose default export (record, row) => record | null reshapes each mapped row before validation; null leaves the row out (dropped)', group: 'Input', commands: IO },
  { flags: '--timezone <zone>', description: 'IANA time zone (Europe/Paris, UTC) in which a date-time without an offset is read; without it such a value is invalid', group: 'Input', commands: IO, parse: timeZone },
  { flags: '--delimiter <char>', description: 'CSV cell delimiter (, ; | or tab)', group: 'Input', commands: READ, defaultText: 'detected from the header line (, ; tab or |)', parse: delimiter },
  { flags: '--encoding <encoding>', description: 'input encoding: utf8 (invalid bytes make a row invalid) or latin1', group: 'Input', commands: READ, defaultValue: 'utf8', choices: ['utf8', 'latin1'] },
  { flags: '--coerce', description: 'NDJSON: convert numbers and booleans to strings (and numeric strings to numbers) where the schema says so', group: 'Input', commands: IO },
  { flags: '--no-trim', description: 'keep whitespace around unquoted CSV cells', group: 'Input', commands: READ, defaultValue: true, defaultText: 'trim' },
  { flags: '--max-record-size <bytes>', description: 'largest CSV record or NDJSON line', group: 'Input', commands: READ, defaultValue: 1024 * 1024, defaultText: '1MiB', parse: bytes },
  { flags: '--inputs <file>', description: 'input whose every row the reports must have accepted exactly once, named as given to submit (repeat for several); exit 1 lists the rows that are not', group: 'Input', commands: ['report'], parse: collectFile },
  { flags: '--ca <file>', description: 'extra trusted CA certificates (PEM) for a private CA, for https:// and s3:// inputs and the endpoint; NODE_EXTRA_CA_CERTS works too', group: 'Input', commands: IO },

  { flags: '-e, --endpoint <url>', description: 'API base URL, e.g. https://api.sandbox.asapp.com', group: 'Endpoint', commands: ['submit'] },
  { flags: '--path <path>', description: "API path instead of the kind's own (with --schema, loads any JSON API)", group: 'Endpoint', commands: ['submit'], defaultText: "the kind's single or many-* path", parse: apiPath },
  { flags: '--header-file <file>', description: 'file of "Name: value" header lines (# comments): keeps secrets off the command line', group: 'Endpoint', commands: ['submit'] },
  { flags: '--allow-insecure-http', description: 'allow credentials over plain http to a host that is not loopback', group: 'Endpoint', commands: ['submit'] },
  { flags: '-H, --header <header>', description: 'extra request header "Name: value" (repeatable)', group: 'Endpoint', commands: ['submit'], parse: collectHeader, env: false },

  { flags: '-c, --concurrency <n>', description: 'most requests in flight', group: 'Sending', commands: ['submit'], defaultValue: 8, parse: integer(1, 256) },
  { flags: '--timeout <duration>', description: 'time limit for one request, from sending it to the last byte of the answer (250ms, 30s, 10m, 1h or ms)', group: 'Sending', commands: ['submit'], defaultValue: 30_000, defaultText: '30s', parse: duration },
  { flags: '--retries <n>', description: 'retries of a failed request (network error, timeout, 408, 429, 5xx)', group: 'Sending', commands: ['submit'], defaultValue: 5, parse: integer(0, 100) },
  { flags: '--rate <n>', description: "requests per second at most, of this process (the API's spike arrest is 100 for all processes together); 0 = unlimited; backs off on 429", group: 'Sending', commands: ['submit'], defaultValue: 100, defaultText: '100, shared: 100/N each with --shard K/N', appliedByRun: true, parse: integer(0) },
  { flags: '--max-outage <duration>', description: 'when every request fails, probe with backoff; abort (exit 3) after this long', group: 'Sending', commands: ['submit'], defaultValue: 600_000, defaultText: '10m', parse: duration },
  { flags: '--drain-timeout <duration>', description: 'after Ctrl-C or SIGTERM, how long requests in flight may take to finish', group: 'Sending', commands: ['submit'], defaultValue: 10_000, defaultText: '10s', parse: duration },
  { flags: '--max-errors <n|n%>', description: `abort (exit 3) once this many rows are invalid or rejected, or (2%) more than this share of the rows read so far, sent or not (judged from row ${ERROR_SHARE_FROM_ROWS} on); 0 = never`, group: 'Sending', commands: ['submit'], defaultValue: 0, defaultText: '0 (never)', parse: errorBudget },
  { flags: '-b, --batch-size <n>', description: "rows per request: 1 = the single-record endpoint, 2–1000 = the kind's many-* endpoint", group: 'Sending', commands: IO, defaultValue: 1000, defaultText: '1000 (1 with --schema, --path or --no-generate-event-id)', appliedByRun: true, parse: integer(1, 1000) },
  { flags: '--batch-wait <duration>', description: 'send a batch that is not full once its first row has waited this long', group: 'Sending', commands: ['submit'], defaultValue: 200, defaultText: '200ms', parse: duration },
  { flags: '--shard <K/N>', description: 'process only rows whose row number mod N is K (N machines or processes together send every row once)', group: 'Input', commands: IO, parse: shard },
  { flags: '--no-generate-event-id', description: 'send rows without an eventId as they are (the service generates one)', group: 'Sending', commands: ['submit'], defaultValue: true, defaultText: 'generate' },
  { flags: '-n, --dry-run', description: 'read, map and validate only; send nothing', group: 'Sending', commands: ['submit'] },

  { flags: '-r, --report <file>', description: 'per-row report (.ndjson, or .csv for CSV)', group: 'Output', commands: IO, defaultText: '<first input>.report.ndjson' },
  { flags: '--rejects <file>', description: 'rows not accepted, in the input format with _line, _error, _eventId: fix and feed back', group: 'Output', commands: IO },
  { flags: '--resume', description: 'continue the report: skip rows it has as accepted, re-send the rest with the same eventIds, append', group: 'Output', commands: ['submit'] },
  { flags: '--force', description: 'overwrite an existing report or rejects file', group: 'Output', commands: IO },
  { flags: '--summary <file>', description: 'also write the summary as JSON to this file (for monitoring)', group: 'Output', commands: IO },
  { flags: '--metrics-file <file>', description: "write the run's metrics in Prometheus text format (node_exporter's textfile collector) at the end of every run, atomically", group: 'Output', commands: IO },
  { flags: '--pushgateway <url>', description: 'push the same metrics to a Prometheus Pushgateway at the end (grouped by job and report name)', group: 'Output', commands: IO, parse: httpUrl },
  { flags: '--progress-interval <duration>', description: 'without a terminal: print a progress line this often', group: 'Output', commands: IO, defaultValue: 30_000, defaultText: '30s', parse: duration },
  { flags: '--no-color', description: 'no colour (NO_COLOR is honoured too)', group: 'Output', commands: IO, defaultValue: true, defaultText: 'colour on a terminal', env: false },
  { flags: '--json', description: 'print the summary as one JSON object on stdout', group: 'Output', commands: READ },
  { flags: '-q, --quiet', description: 'print only errors', group: 'Output', commands: IO },
  { flags: '--list <n>', description: 'list at most this many rows that are not accepted exactly once (the counts are always complete)', group: 'Output', commands: ['report'], defaultValue: 100, parse: integer(0) },
  { flags: '--config <file>', description: 'JSON file of settings, keys = long option names in camelCase (flags > env > file > defaults)', group: 'Output', commands: ['submit', 'validate', 'serve', 'report'] },
  { flags: '--print-config', description: 'print the effective settings and where each came from (secrets redacted), then exit', group: 'Output', commands: ['submit', 'validate', 'serve', 'report'], env: false },
  { flags: '--debug', description: 'show stack traces', group: 'Output', commands: [...READ, 'serve'] },

  { flags: '-p, --port <port>', description: 'port to listen on (0 = any free port)', group: 'Server', commands: ['serve'], defaultValue: 8080, parse: integer(0, 65535) },
  { flags: '--host <host>', description: 'address to listen on', group: 'Server', commands: ['serve'], defaultValue: '127.0.0.1' },
  { flags: '--store <file>', description: 'append accepted records to this NDJSON file', group: 'Server', commands: ['serve'] },
  { flags: '--api-id <id>', description: 'require this asapp-api-id (env ASAPP_API_ID)', group: 'Server', commands: ['serve'], env: 'ASAPP_API_ID' },
  { flags: '--seed <n>', description: 'seed for every injected fault: the same seed, the same faults', group: 'Fault injection', commands: ['serve'], defaultValue: 1, parse: integer(0) },
  { flags: '--fail-rate <share>', description: 'answer this share of requests 503 without storing (0.2 or 20%)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--latency <ms[:jitter]>', description: 'delay every answer, e.g. 50ms or 50ms:20ms', group: 'Fault injection', commands: ['serve'], parse: latency },
  { flags: '--rate-limit <n>', description: 'allow n requests a second; past it 429 with Retry-After', group: 'Fault injection', commands: ['serve'], parse: integer(1) },
  { flags: '--daily-quota <n>', description: 'allow n requests a UTC day; past it 429 until 00:00 UTC', group: 'Fault injection', commands: ['serve'], parse: integer(1) },
  { flags: '--drop-rate <share>', description: 'destroy the socket of this share of requests before answering (nothing stored)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--accept-then-fail <share>', description: 'store this share of requests, then answer 500 (the duplicate trap)', group: 'Fault injection', commands: ['serve'], parse: share },
  { flags: '--outage <after:duration>', description: 'refuse connections for DURATION, starting AFTER from start, e.g. 30s:2m', group: 'Fault injection', commands: ['serve'], parse: outage },
  { flags: '--api-secret <secret>', description: 'require this asapp-api-secret (env ASAPP_API_SECRET)', group: 'Server', commands: ['serve'], env: 'ASAPP_API_SECRET' },
] as const satisfies readonly OptionSpec[];

/** Every option, as commander, the environment, --config, --help and README see it. */
export const OPTIONS: readonly OptionSpec[] = TABLE;

/** An option's long name, as in its flags: `concurrency`, `no-trim`, `max-record-size`. */
type LongName<F> = F extends `${string}--${infer L} ${string}` ? L : F extends `${string}--${infer L}` ? L : never;
export type OptionName = LongName<(typeof TABLE)[number]['flags']>;

function specOf(name: OptionName): OptionSpec {
  const spec = OPTIONS.find((o) => new RegExp(`--${name}(?: |$)`).test(o.flags));
  if (!spec || spec.defaultValue === undefined) throw new Error(`the options table declares no default for --${name}`);
  return spec;
}

/** An option's numeric default, from the table: the library's only source for it. */
export function numberDefault(name: OptionName): number {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'number') throw new Error(`the default of --${name} is not a number`);
  return value;
}

/** An option's text default, from the table. */
export function textDefault(name: OptionName): string {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'string') throw new Error(`the default of --${name} is not text`);
  return value;
}

/** A negatable option's default (`--no-trim` → trim is on by default), from the table. */
export function flagDefault(name: OptionName): boolean {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'boolean') throw new Error(`the default of --${name} is not on or off`);
  return value;
}

/** `--max-errors` → `BULK_SUBMIT_MAX_ERRORS`. */
export function envName(spec: OptionSpec): string | undefined {
  if (spec.env === false) return undefined;
  if (spec.env !== undefined) return spec.env;
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(spec.flags)?.[1];
  return long ? `BULK_SUBMIT_${long.replace(/-/g, '_').toUpperCase()}` : undefined;
}

/** Builds the commander options for one command from the table. */
export function commanderOptions(command: CommandName): Option[] {
  return OPTIONS
    .filter((spec) => spec.commands.includes(command))
    .map((spec) => {
      const option = new Option(spec.flags, spec.appliedByRun ? `${spec.description} (default: ${spec.defaultText})` : spec.description).helpGroup(`${spec.group} options:`);
      const env = envName(spec);
      if (env) option.env(env);
      if (spec.choices) option.choices(spec.choices);
      if (spec.parse) option.argParser(spec.parse);
      // A negatable flag's default is commander's own (on); the others' come from the table.
      if (spec.defaultValue !== undefined && !spec.appliedByRun && typeof spec.defaultValue !== 'boolean') option.default(spec.defaultValue, spec.defaultText);
      return option;
    });
}

/** One table row of README's option tables: `| flags | default | env | meaning |`. */
function readmeRow(spec: OptionSpec): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const code = (text: string): string => `\`${cell(text)}\``;
  const shown = spec.defaultText === undefined ? (spec.defaultValue === undefined ? '' : code(String(spec.defaultValue))) : cell(spec.defaultText);
  const env = envName(spec);
  return `| ${code(spec.flags)} | ${shown} | ${env ? code(env) : ''} | ${cell(spec.description)} |`;
}

/** README's table of a command's options, rendered from OPTIONS (a test holds README to it). */
export function readmeTable(command: CommandName): string {
  const rows = OPTIONS.filter((spec) => spec.commands.includes(command)).map(readmeRow);
  return ['| option | default | env | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
