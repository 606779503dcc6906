import { readFileSync } from 'node:fs';
import { OptionError } from '../index.js';
import type { Kind, ReportOptions, ServeOptions, SubmitOptions, Stats } from '../index.js';
import type { ErrorBudget } from '../options.js';
import { parseHeaderLine } from '../options.js';

/** What commander hands the submit and validate actions: the options table's flags, parsed. */
export interface SubmitFlags {
  kind: Kind;
  schema?: string;
  format?: 'csv' | 'ndjson';
  map?: string;
  transform?: string;
  timezone?: string;
  delimiter?: string;
  encoding: 'utf8' | 'latin1';
  coerce?: boolean;
  trim: boolean;
  maxRecordSize: number;
  report?: string;
  rejects?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  summary?: string;
  batchSize?: number;
  shard?: { index: number; count: number };
  progressInterval: number;
  color: boolean;
  endpoint?: string;
  path?: string;
  header?: Record<string, string>;
  headerFile?: string;
  ca?: string;
  allowInsecureHttp?: boolean;
  concurrency?: number;
  timeout?: number;
  retries?: number;
  maxErrors?: ErrorBudget;
  metricsFile?: string;
  pushgateway?: string;
  rate?: number;
  maxOutage?: number;
  drainTimeout?: number;
  resume?: boolean;
  batchWait?: number;
  generateEventId?: boolean;
  dryRun?: boolean;
}

/** What commander hands the serve action. */
export interface ServeFlags {
  port: number;
  host: string;
  store?: string;
  apiId?: string;
  apiSecret?: string;
  debug?: boolean;
  seed: number;
  failRate?: number;
  latency?: { latencyMs: number; latencyJitterMs: number };
  rateLimit?: number;
  dailyQuota?: number;
  dropRate?: number;
  acceptThenFail?: number;
  outage?: { afterMs: number; durationMs: number };
}

/** ASAPP_API_ID and ASAPP_API_SECRET from the environment, as the API's headers. */
function credentials(): Record<string, string> {
  const headers: Record<string, string> = {};
  const id = process.env['ASAPP_API_ID'];
  const secret = process.env['ASAPP_API_SECRET'];
  if (id) headers['asapp-api-id'] = id;
  if (secret) headers['asapp-api-secret'] = secret;
  return headers;
}

/** Reads a file named by an option, or says which option could not read it. */
function readOptionFile(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new OptionError(`Invalid ${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Reads a --header-file: `Name: value` lines, `#` comments and blank lines skipped. */
function readHeaderFile(file: string): Record<string, string> {
  const headers: Record<string, string> = {};
  readOptionFile('--header-file', file)
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      try {
        const [name, value] = parseHeaderLine(line);
        headers[name] = value;
      } catch {
        throw new OptionError(`Invalid --header-file: ${file}:${i + 1}: expected "Name: value"`);
      }
    });
  return headers;
}

/** The library's options from the command line's flags (the files named by flags read here). */
export function submitOptions(files: string[], flags: SubmitFlags, stats: Stats): SubmitOptions {
  return {
    files,
    kind: flags.kind,
    schemaFile: flags.schema,
    mapFile: flags.map,
    transform: flags.transform,
    timezone: flags.timezone,
    format: flags.format,
    delimiter: flags.delimiter,
    encoding: flags.encoding,
    coerce: flags.coerce,
    trim: flags.trim,
    maxRecordSize: flags.maxRecordSize,
    shard: flags.shard,
    batchSize: flags.batchSize,
    report: flags.report,
    rejects: flags.rejects,
    force: flags.force,
    stats,
    endpoint: flags.endpoint,
    path: flags.path,
    headers: { ...credentials(), ...(flags.headerFile === undefined ? {} : readHeaderFile(flags.headerFile)), ...flags.header },
    ca: flags.ca === undefined ? undefined : readOptionFile('--ca', flags.ca),
    allowInsecureHttp: flags.allowInsecureHttp,
    concurrency: flags.concurrency,
    timeoutMs: flags.timeout,
    retries: flags.retries,
    rate: flags.rate,
    maxOutageMs: flags.maxOutage,
    drainTimeoutMs: flags.drainTimeout,
    maxErrors: flags.maxErrors,
    batchWaitMs: flags.batchWait,
    generateEventId: flags.generateEventId,
    dryRun: flags.dryRun,
    resume: flags.resume,
  };
}

/** The library's serve options from the command line's flags. */
export function serveOptions(flags: ServeFlags): ServeOptions {
  return {
    port: flags.port,
    host: flags.host,
    store: flags.store,
    apiId: flags.apiId,
    apiSecret: flags.apiSecret,
    faults: {
      seed: flags.seed,
      failRate: flags.failRate,
      ...flags.latency,
      rateLimit: flags.rateLimit,
      dailyQuota: flags.dailyQuota,
      dropRate: flags.dropRate,
      acceptThenFail: flags.acceptThenFail,
      outage: flags.outage,
    },
  };
}

/** What commander hands the report action. */
export interface ReportFlags {
  inputs?: string[];
  list: number;
  format?: 'csv' | 'ndjson';
  delimiter?: string;
  encoding: 'utf8' | 'latin1';
  trim: boolean;
  maxRecordSize: number;
  json?: boolean;
  debug?: boolean;
}

/** The library's report options from the command line's flags. */
export function reportOptions(reports: string[], flags: ReportFlags): ReportOptions {
  return {
    reports,
    inputs: flags.inputs,
    list: flags.list,
    format: flags.format,
    delimiter: flags.delimiter,
    encoding: flags.encoding,
    trim: flags.trim,
    maxRecordSize: flags.maxRecordSize,
  };
}
