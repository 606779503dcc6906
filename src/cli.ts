import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BulkError, ExitCode, OptionError, describeError } from './errors.js';
import type { RunOptions } from './job.js';
import type { Kind } from './kinds.js';
import { applyConfigFile, describeConfig } from './config.js';
import { commanderOptions, parseHeaderLine } from './options.js';
import { Stats } from './report/summary.js';
import type { Summary } from './report/summary.js';
import { formatDuration } from './util/duration.js';

/** The only module that prints and picks exit codes: argv → options → library → exit code. */

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const EXIT_CODES = `
Exit codes:
  0    every row accepted (validate: every row valid)
  1    the run finished, but some rows were invalid, rejected or failed (see the report)
  2    usage, schema, header or file error found before anything was sent (or --resume
       found the input changed since the report was written, before sending anything)
  3    run aborted: credentials refused (401/403), --max-errors reached, endpoint down or
       quota used up, input changed (--resume) after rows were sent
  130  interrupted (SIGINT); 143 terminated (SIGTERM)`;

const SUBMIT_EXAMPLES = `
Examples:
  $ bulk-submit serve --port 8080 &
  $ bulk-submit submit --endpoint http://127.0.0.1:8080 samples/conversations.csv
  $ ASAPP_API_ID=… ASAPP_API_SECRET=… bulk-submit submit -e https://api.sandbox.asapp.com \\
      --rejects failed.csv --report run.report.ndjson conversations.csv.gz
  $ zcat agents.ndjson.gz | bulk-submit submit --kind agent --format ndjson -e "$URL" -

Credentials come from the environment: ASAPP_API_ID and ASAPP_API_SECRET are sent as the
asapp-api-id and asapp-api-secret headers. Every option can also be set as BULK_SUBMIT_<NAME>.
${EXIT_CODES}`;

interface CommonFlags {
  kind: Kind;
  schema?: string;
  format?: 'csv' | 'ndjson';
  map?: string;
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
  batchSize: number | undefined;
  shard?: { index: number; count: number };
  progressInterval: number;
  color: boolean;
}

interface SubmitFlags extends CommonFlags {
  endpoint?: string;
  path?: string;
  header?: Record<string, string>;
  headerFile?: string;
  ca?: string;
  allowInsecureHttp?: boolean;
  concurrency: number;
  timeout: number;
  retries: number;
  maxErrors: number;
  rate: number;
  maxOutage: number;
  drainTimeout: number;
  resume?: boolean;
  batchWait: number;
  generateEventId: boolean;
  dryRun?: boolean;
}

interface ServeFlags {
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

let debug = process.argv.includes('--debug');
// The CLI runs from a bundle (scripts/build.js): with --debug, stack traces name the source files and lines.
if (debug) process.setSourceMapsEnabled(true);

function credentials(): Record<string, string> {
  const headers: Record<string, string> = {};
  const id = process.env['ASAPP_API_ID'];
  const secret = process.env['ASAPP_API_SECRET'];
  if (id) headers['asapp-api-id'] = id;
  if (secret) headers['asapp-api-secret'] = secret;
  return headers;
}

function printSummary(summary: Summary, flags: CommonFlags): void {
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (flags.quiet) {
    if (summary.aborted) process.stderr.write(`bulk-submit: aborted: ${summary.aborted.message}\n`);
    return;
  }
  const lines: string[] = [];
  const verb = summary.command === 'validate' || summary.dryRun ? 'checked' : 'processed';
  lines.push(`bulk-submit: ${verb} ${summary.rows} rows in ${formatDuration(summary.elapsedMs)} (${summary.rowsPerSecond} rows/s)`);
  const statuses: [string, number][] =
    summary.command === 'validate' || summary.dryRun
      ? [['valid', summary.valid], ['invalid', summary.invalid]]
      : [['accepted', summary.accepted], ['rejected', summary.rejected], ['failed', summary.failed], ['invalid', summary.invalid]];
  for (const [name, count] of statuses) lines.push(`  ${name.padEnd(9)} ${count}`);
  if (summary.skipped > 0) lines.push(`  ${'skipped'.padEnd(9)} ${summary.skipped} (accepted in an earlier run)`);
  if (summary.command === 'submit' && !summary.dryRun) lines.push(`  ${'requests'.padEnd(9)} ${summary.requests}`);
  if (summary.plannedRequests !== null) lines.push(`  sending the valid rows needs ${summary.plannedRequests} request${summary.plannedRequests === 1 ? '' : 's'} (--batch-size ${summary.batchSize})`);
  if (summary.report) lines.push(`  report    ${summary.report}`);
  if (summary.rejects) lines.push(`  rejects   ${summary.rejects}`);
  if (summary.topErrors.length > 0) {
    lines.push('  top errors:');
    for (const { error, count } of summary.topErrors) lines.push(`    ${String(count).padStart(6)} × ${error}`);
  }
  if (summary.aborted) lines.push(`bulk-submit: aborted: ${summary.aborted.message}`);
  if (summary.interrupted) lines.push(`bulk-submit: interrupted by ${summary.interrupted}; the report holds every row finished so far`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** `12,345 rows · 41% · 8,120 rows/s · ETA 1m05s · invalid 3 · rejected 0 · failed 1` */
function progressLine(stats: Stats): string {
  const seconds = (Date.now() - stats.startedAt) / 1000;
  const rate = seconds > 0 ? stats.rows / seconds : 0;
  const parts = [`${stats.rows.toLocaleString('en-US')} rows`];
  if (stats.totalBytes) {
    const fraction = Math.min(1, stats.bytesRead() / stats.totalBytes);
    parts.push(`${Math.floor(fraction * 100)}%`);
    const bytesPerSecond = seconds > 0 ? stats.bytesRead() / seconds : 0;
    if (bytesPerSecond > 0 && fraction < 1) parts.push(`ETA ${formatDuration(((stats.totalBytes - stats.bytesRead()) / bytesPerSecond) * 1000)}`);
  }
  parts.push(`${Math.round(rate).toLocaleString('en-US')} rows/s`);
  parts.push(`invalid ${stats.invalid} · rejected ${stats.rejected} · failed ${stats.failed}`);
  return parts.join(' · ');
}

/**
 * Progress on stderr, polled from the stats so the pipeline pays nothing for it: an ora spinner on a
 * terminal; without one (cron, CI), a plain timestamped line every --progress-interval and nothing else.
 */
async function startProgress(stats: Stats, flags: CommonFlags): Promise<() => void> {
  if (flags.quiet) return () => undefined;
  // A terminal that reports 0 columns (some ptys) cannot host a spinner: ora would clear "infinitely many"
  // wrapped lines. Plain lines then, as without a terminal.
  if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
    const timer = setInterval(() => process.stderr.write(`${new Date().toISOString()} bulk-submit: ${progressLine(stats)}\n`), flags.progressInterval);
    timer.unref();
    return () => clearInterval(timer);
  }
  const { default: ora } = await import('ora');
  const color = flags.color && !process.env['NO_COLOR'];
  const spinner = ora({ stream: process.stderr, discardStdin: false, color: color ? 'cyan' : false, isEnabled: true }).start('starting');
  // One line, never wrapped: a wrapped spinner line leaves a trail of copies (and a pty may report 0 columns).
  const width = (): number => Math.max(20, (process.stderr.columns || 80) - 3);
  const timer = setInterval(() => (spinner.text = progressLine(stats).slice(0, width())), 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    spinner.stop();
  };
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
  const text = readOptionFile('--header-file', file);
  const headers: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
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

/** Writes the summary for monitoring, mode 0600 (it names files that hold customer data). */
function writeSummaryFile(file: string, summary: Summary): void {
  writeFileSync(file, `${JSON.stringify(summary)}\n`, { mode: 0o600 });
}

/** Set by the running job: writes buffered report lines synchronously. */
let emergencyFlush: (() => void) | undefined;

/** First SIGINT/SIGTERM: stop reading, finish in-flight rows, flush. Second: exit at once. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      emergencyFlush?.();
      process.stderr.write(`bulk-submit: ${name} again, exiting now; the report holds every row finished so far\n`);
      process.exit(name === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    }
    process.stderr.write(`bulk-submit: ${name}: finishing requests in flight (send it again to exit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function runJob(command: 'submit' | 'validate', files: string[], flags: SubmitFlags): Promise<number> {
  debug = Boolean(flags.debug);
  // Imported here, not at the top: --help and --version start without loading undici, Ajv and csv-parse.
  const [{ run }, { loadColumnMap }] = await Promise.all([import('./job.js'), import('./mapping/map-file.js')]);
  const stats = new Stats();
  const options: RunOptions = {
    command,
    files,
    kind: flags.kind,
    schemaFile: flags.schema,
    format: flags.format,
    map: flags.map === undefined ? undefined : await loadColumnMap(flags.map),
    delimiter: flags.delimiter,
    encoding: flags.encoding,
    coerce: flags.coerce,
    trim: flags.trim,
    maxRecordSize: flags.maxRecordSize,
    report: flags.report,
    rejects: flags.rejects,
    force: flags.force,
    endpoint: flags.endpoint,
    path: flags.path,
    headers: { ...credentials(), ...(flags.headerFile === undefined ? {} : readHeaderFile(flags.headerFile)), ...flags.header },
    allowInsecureHttp: flags.allowInsecureHttp,
    ca: flags.ca === undefined ? undefined : readOptionFile('--ca', flags.ca),
    concurrency: flags.concurrency,
    timeoutMs: flags.timeout,
    retries: flags.retries,
    maxErrors: flags.maxErrors,
    rate: flags.rate,
    maxOutageMs: flags.maxOutage,
    drainTimeoutMs: flags.drainTimeout,
    resume: flags.resume,
    onEmergencyFlush: (flush) => (emergencyFlush = flush),
    batchSize: flags.batchSize,
    batchWaitMs: flags.batchWait,
    shard: flags.shard,
    generateEventId: flags.generateEventId,
    dryRun: flags.dryRun,
    stats,
  };
  const interrupt = interruptSignal();
  const stopProgress = await startProgress(stats, flags);
  try {
    const summary = await run({ ...options, signal: interrupt.signal });
    stopProgress();
    if (flags.summary !== undefined) writeSummaryFile(flags.summary, summary);
    printSummary(summary, flags);
    return summary.exitCode;
  } finally {
    stopProgress();
    interrupt.dispose();
  }
}

function buildProgram(): Command {
  const program = new Command('bulk-submit')
    .description("Load CSV or NDJSON files into ASAPP's Metadata Ingestion API (or any JSON API with a schema),\nrow by row, and report what happened to every row.")
    .version(pkg.version, '-v, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', `\nStart with: bulk-submit serve & bulk-submit submit -e http://127.0.0.1:8080 samples/conversations.csv\n${EXIT_CODES}`);

  const submit = program
    .command('submit')
    .description('read, map, validate and send every row, writing a per-row report')
    .argument('<file...>', 'input files: .csv, .ndjson or .jsonl, optionally .gz; - reads stdin');
  for (const option of commanderOptions('submit')) submit.addOption(option);
  submit.addHelpText('after', SUBMIT_EXAMPLES).action(async (files: string[], flags: SubmitFlags) => {
    process.exitCode = await runJob('submit', files, flags);
  });

  const validate = program
    .command('validate')
    .description('read, map and validate every row without sending anything (report statuses valid/invalid)')
    .argument('<file...>', 'input files: .csv, .ndjson or .jsonl, optionally .gz; - reads stdin');
  for (const option of commanderOptions('validate')) validate.addOption(option);
  validate
    .addHelpText('after', `\nExamples:\n  $ bulk-submit validate samples/conversations.csv\n  $ bulk-submit validate --kind agent --rejects bad.csv samples/agents.csv\n${EXIT_CODES}`)
    .action(async (files: string[], flags: SubmitFlags) => {
      process.exitCode = await runJob('validate', files, flags);
    });

  const serve = program.command('serve').description('run a local implementation of the Metadata Ingestion API (for trials and tests)');
  for (const option of commanderOptions('serve')) serve.addOption(option);
  serve
    .addHelpText('after', '\nExamples:\n  $ bulk-submit serve --port 8080 --store stored.ndjson\n  $ bulk-submit serve --port 0 --api-id demo --api-secret s3cret')
    .action(async (flags: ServeFlags) => {
      debug = Boolean(flags.debug);
      const { startServer } = await import('./server/server.js');
      const server = await startServer({
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
      });
      process.stdout.write(`bulk-submit serve: listening on ${server.url}${flags.store ? ` (storing to ${flags.store})` : ''}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const counts = await server.close();
      const statuses = Object.entries(counts.byStatus).map(([status, n]) => `${status}: ${n}`).join(', ');
      const injected = Object.entries(counts.faults).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ');
      process.stderr.write(
        `bulk-submit serve: stopped after ${counts.requests} requests (${statuses || 'none'}); stored ${counts.stored} records, refused ${counts.invalid} invalid, ${counts.duplicates} duplicates${injected ? `; injected: ${injected}` : ''}\n`,
      );
      process.exitCode = 0;
    });

  for (const [command, name] of [[submit, 'submit'], [validate, 'validate'], [serve, 'serve']] as const) {
    command.hook('preAction', (cmd) => {
      const file = cmd.getOptionValue('config') as string | undefined;
      if (file !== undefined) applyConfigFile(cmd, name, file);
      if (cmd.getOptionValue('printConfig')) {
        for (const { option, value, source, env } of describeConfig(cmd)) {
          process.stdout.write(`${option.padEnd(24)} ${JSON.stringify(value) ?? '(unset)'}  [${source}${env ? `, env ${env}` : ''}]\n`);
        }
        for (const env of ['ASAPP_API_ID', 'ASAPP_API_SECRET']) {
          process.stdout.write(`${env.padEnd(24)} ${process.env[env] ? '<redacted>' : '(unset)'}  [env]\n`);
        }
        throw new CommanderError(0, 'bulk-submit.printConfig', 'printed the configuration');
      }
    });
  }
  // Commander puts "(Did you mean …?)" on a line of its own: keep every usage error to one line.
  const oneLine = (text: string, write: (text: string) => void): void => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`);
  for (const command of [program, ...program.commands]) command.configureOutput({ outputError: oneLine });
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}

// `bulk-submit … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
// An empty BULK_SUBMIT_* variable means "not set" (as `VAR= cmd` is usually meant), not an empty value.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('BULK_SUBMIT_') && process.env[name] === '') delete process.env[name];
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; real usage errors are exit 2 (already printed).
    process.exitCode = error.exitCode === 0 ? 0 : ExitCode.usage;
  } else {
    process.stderr.write(`bulk-submit: error: ${describeError(error)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof BulkError ? error.exitCode : ExitCode.aborted;
  }
}
