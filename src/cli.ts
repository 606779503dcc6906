import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { applyConfigFile, describeConfig } from './cli/config-file.js';
import { BulkError, describeError, ledgerImport, ledgerStats, report, serve, submit, Stats, validate, writeReportPage } from './index.js';
import type { Summary } from './index.js';
import { API_CREDENTIALS } from './kinds.js';
import { commanderOptions, libraryFlags, unknownEnvNames } from './options/index.js';
import type { CommandName, Flags } from './options/index.js';
import { ExitCode, exitCodeOf, exitCodeOfError, exitCodeOfReport } from './cli/exit.js';
import { requestHeaders } from './cli/request-headers.js';
import { openRunOutputs } from './cli/run-outputs.js';
import { printSummary, quotaWarning, summaryJson, writeSummaryFile } from './cli/print.js';
import { startProgress } from './cli/progress.js';
import { printReport } from './cli/print-report.js';
import { printLedgerImport, printLedgerStats } from './cli/print-ledger.js';
import { interruptSignal } from './cli/signals.js';
import { counted } from './util/plural.js';

/** The only module that prints and picks exit codes: argv → options → library (src/index.ts) → exit code. */

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const EXIT_CODES = `
Exit codes:
  0    every row accepted (validate: every row valid), apart from rows --transform left out
  1    the run finished, but some rows were invalid, rejected or failed (see the report)
  2    usage, schema, header or file error found before anything was sent (or --resume
       found the input changed since the report was written, before sending anything)
  3    run aborted: credentials refused (401/403), the endpoint does not answer like the API
       (or 404s or redirects), --max-errors reached, endpoint down or quota used up, a download cut off midway, input changed (--resume) after rows were sent,
       the report or rejects file cannot be written (disk full)
  130  interrupted (SIGINT); 143 terminated (SIGTERM)
  (bulk-submit report has its own: see bulk-submit report --help)`;

const INPUTS = 'input files: .csv, .ndjson or .jsonl, optionally .gz; - reads stdin; http(s)://… URLs and s3://bucket/key are streamed';

const SUBMIT_EXAMPLES = `
Examples:
  $ bulk-submit serve --port 8080 &
  $ bulk-submit submit --endpoint http://127.0.0.1:8080 samples/conversations.csv
  $ ASAPP_API_ID=… ASAPP_API_SECRET=… bulk-submit submit -e https://api.sandbox.asapp.com \\
      --rejects failed.csv --report run.report.ndjson conversations.csv.gz
  $ zcat agents.ndjson.gz | bulk-submit submit --kind agent --format ndjson -e "$URL" -
  $ AWS_PROFILE=exports bulk-submit submit -e "$URL" s3://acme-exports/daily/conversations.csv.gz

Credentials come from the environment: ASAPP_API_ID and ASAPP_API_SECRET are sent as the
asapp-api-id and asapp-api-secret headers. Every option can also be set as BULK_SUBMIT_<NAME>.
${EXIT_CODES}`;

const REPORT_HELP = `
Examples:
  $ bulk-submit report run.report.ndjson
  $ bulk-submit report --inputs day.csv.gz day.0.report.ndjson day.1.report.ndjson
  $ bulk-submit report --json --inputs a.csv --inputs b.csv shard-*.report.ndjson

A row's status is its last report line (reports in the order given, lines in order): a row that failed
and was then accepted by a --resume is accepted; a row with two accepted lines is duplicated. Name each
input in --inputs exactly as it was given to submit (the report's "file"), with the same read options.

Exit codes:
  0    the reports were read (with --inputs: every row of the inputs accepted exactly once)
  1    with --inputs: rows missing, duplicated, not accepted or not in the input (listed, up to --list)
  2    a report or an input cannot be read, or a file is not a bulk-submit report (nothing judged)`;

// Settings of the whole process are the CLI's to make, never the library's (src/index.ts):
// - undici parses answers with llhttp, compiled to WebAssembly. V8 starts it in its baseline compiler and
//   recompiles it with its optimising one once it has run a "budget" of code, which llhttp's main loop
//   spends on the very first answer: a ~130 ms background compile that a short run (a cron job's
//   thousand rows, a test) then waits for at exit, for no gain. A larger budget (llhttp is the only
//   WebAssembly we run, and it is not compiled yet) leaves short runs on the baseline code and still
//   optimises llhttp in a long run, after a few thousand answers.
setFlagsFromString('--wasm-tiering-budget=100000000');
// - The AWS SDK (s3:// inputs) warns once on stderr that its releases from 2027 on want Node 22:
//   bulk-submit runs on Node 20 and says what it needs itself. The preparing threads, which read s3://
//   inputs, are given this environment when they start.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

let debug = process.argv.includes('--debug');
// The CLI runs from a bundle (scripts/build.js): with --debug, stack traces name the source files and lines.
if (debug) process.setSourceMapsEnabled(true);

/** What commander hands submit and validate (validate takes none of submit's sending options). */
type JobFlags = Flags<'validate'> & Partial<Flags<'submit'>>;

/** Runs submit or validate with progress and signals; prints the summary; writes the metrics and the page; returns the exit code. */
async function runJob(command: 'submit' | 'validate', files: string[], flags: JobFlags): Promise<number> {
  debug = Boolean(flags.debug);
  const stats = new Stats();
  const outputs = await openRunOutputs(command, files, flags, stats);
  const interrupt = interruptSignal();
  const stopProgress = await startProgress(stats, flags);
  const onNotice = (message: string): void => {
    if (!flags.quiet) process.stderr.write(`${new Date().toISOString()} bulk-submit: ${message}\n`);
    void outputs.notice(message);
  };
  let summary: Summary | null = null;
  let exitCode: number = ExitCode.aborted;
  let failure: unknown;
  try {
    const options = { ...libraryFlags(command, flags), files, stats, header: requestHeaders(flags), signal: interrupt.signal, hurry: interrupt.hurry, onEmergencyFlush: interrupt.onFlush, onNotice };
    summary = await (command === 'submit' ? submit(options) : validate(options));
    stopProgress();
    exitCode = exitCodeOf(summary);
    if (flags.summary !== undefined) writeSummaryFile(flags.summary, summaryJson(summary, exitCode));
    if (flags.json) process.stdout.write(summaryJson(summary, exitCode));
    printSummary(summary, flags);
    const overQuota = quotaWarning(summary);
    if (overQuota !== undefined && !flags.quiet) process.stderr.write(`bulk-submit: warning: ${overQuota}\n`);
    return exitCode;
  } catch (error) {
    exitCode = exitCodeOfError(error);
    failure = error;
    throw error;
  } finally {
    stopProgress();
    await outputs.finish(summary, exitCode, failure);
    interrupt.dispose();
  }
}

/** Reads reports (and checks them against --inputs); prints the answer; returns the exit code. */
async function runReport(reports: string[], flags: Flags<'report'>): Promise<number> {
  debug = Boolean(flags.debug);
  const result = await report({ ...libraryFlags('report', flags), reports });
  const exitCode = exitCodeOfReport(result);
  if (flags.json) process.stdout.write(summaryJson(result, exitCode));
  else printReport(result, flags.list);
  if (flags.html !== undefined) await writeReportPage(result, flags.html);
  return exitCode;
}

/** Runs serve until SIGINT or SIGTERM; prints what it did. */
async function runServe(flags: Flags<'serve'>): Promise<void> {
  debug = Boolean(flags.debug);
  const server = await serve(libraryFlags('serve', flags));
  process.stdout.write(`bulk-submit serve: listening on ${server.url}${flags.store ? ` (storing to ${flags.store})` : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const counts = await server.close();
  const statuses = Object.entries(counts.byStatus).map(([status, n]) => `${status}: ${n}`).join(', ');
  const injected = Object.entries(counts.faults).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ');
  process.stderr.write(
    `bulk-submit serve: stopped after ${counted(counts.requests, 'request')} (${statuses || 'none'}); stored ${counted(counts.stored, 'record')}, refused ${counts.invalid} invalid, ${counted(counts.duplicates, 'duplicate')}${injected ? `; injected: ${injected}` : ''}\n`,
  );
}

const LEDGER_HELP = `
Examples:
  $ bulk-submit ledger import --ledger ids.ledger night-*.report.ndjson
  $ bulk-submit ledger stats --ledger ids.ledger --json

Exit codes:
  0    done
  2    the ledger is not one (not SQLite, another program's database, a newer schema version, a file
       that cannot be written; the file is left untouched), or a report cannot be read`;

/** The ledger's path from --ledger (or BULK_SUBMIT_LEDGER): a ledger command without one is a usage error. */
function ledgerPath(flags: Flags<'ledger'>): string {
  debug = Boolean(flags.debug);
  if (flags.ledger === undefined) throw new BulkError('BULK_USAGE', 'which ledger? give --ledger FILE (or BULK_SUBMIT_LEDGER)');
  return flags.ledger;
}

/** `ledger import REPORT…` and `ledger stats`: the ledger's own command (issue 28). */
function addLedgerCommand(program: Command): Command {
  const ledger = program.command('ledger').description('the ledger (--ledger FILE): seed it from reports, or say what it holds').addHelpText('after', LEDGER_HELP);
  const sub = (name: string, description: string): Command => {
    const command = ledger.command(name).description(description).addHelpText('after', LEDGER_HELP);
    for (const option of commanderOptions('ledger')) command.addOption(option);
    return command;
  };
  sub('import', "record every accepted line's eventId of the reports (streaming), with the report's day and file:row")
    .argument('<report...>', 'reports (.ndjson, or .csv) written by submit')
    .action(async (reports: string[], flags: Flags<'ledger'>) => {
      const result = await ledgerImport({ ledger: ledgerPath(flags), reports });
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else printLedgerImport(result);
      process.exitCode = ExitCode.ok;
    });
  sub('stats', "the ids held, the requests per UTC day of the last week per host, and today's quota left").action(async (flags: Flags<'ledger'>) => {
    const result = await ledgerStats({ ledger: ledgerPath(flags) });
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else printLedgerStats(result);
    process.exitCode = ExitCode.ok;
  });
  return ledger;
}

/** Adds a command that takes files: its options from the table, its help, and an action whose result is the exit code. */
function fileCommand<F>(
  program: Command,
  name: CommandName,
  spec: { description: string; argument: [string, string]; help: string; run: (files: string[], flags: F) => Promise<number> },
): Command {
  const command = program.command(name).description(spec.description).argument(...spec.argument);
  for (const option of commanderOptions(name)) command.addOption(option);
  command.addHelpText('after', spec.help).action(async (files: string[], flags: F) => {
    process.exitCode = await spec.run(files, flags);
  });
  return command;
}

function buildProgram(): Command {
  const program = new Command('bulk-submit')
    .description("Load CSV or NDJSON files into ASAPP's Metadata Ingestion API (or any JSON API with a schema),\nrow by row, and report what happened to every row.")
    .version(pkg.version, '-v, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', `\nStart with: bulk-submit serve & bulk-submit submit -e http://127.0.0.1:8080 samples/conversations.csv\n${EXIT_CODES}`);

  const submit = fileCommand<JobFlags>(program, 'submit', {
    description: 'read, map, validate and send every row, writing a per-row report',
    argument: ['<file...>', INPUTS],
    help: SUBMIT_EXAMPLES,
    run: (files, flags) => runJob('submit', files, flags),
  });
  const validate = fileCommand<JobFlags>(program, 'validate', {
    description: 'read, map and validate every row without sending anything (report statuses valid/invalid)',
    argument: ['<file...>', INPUTS],
    help: `\nExamples:\n  $ bulk-submit validate samples/conversations.csv\n  $ bulk-submit validate --kind agent --rejects bad.csv samples/agents.csv\n${EXIT_CODES}`,
    run: (files, flags) => runJob('validate', files, flags),
  });

  const serve = program.command('serve').description('run a local implementation of the Metadata Ingestion API (for trials and tests)');
  for (const option of commanderOptions('serve')) serve.addOption(option);
  serve
    .addHelpText('after', '\nExamples:\n  $ bulk-submit serve --port 8080 --store stored.ndjson\n  $ bulk-submit serve --port 0 --api-id demo --api-secret s3cret')
    .action(async (flags: Flags<'serve'>) => {
      await runServe(flags);
      process.exitCode = ExitCode.ok;
    });

  const reportCommand = fileCommand<Flags<'report'>>(program, 'report', {
    description: 'read reports back: rows by status, files, top errors; with --inputs, prove every row accepted exactly once',
    argument: ['<report...>', 'reports (.ndjson, or .csv), e.g. the shard reports of one backfill'],
    help: REPORT_HELP,
    run: runReport,
  });
  const ledger = addLedgerCommand(program);

  for (const [command, name] of [[submit, 'submit'], [validate, 'validate'], [serve, 'serve'], [reportCommand, 'report']] as const) {
    command.hook('preAction', (cmd) => {
      const file = cmd.getOptionValue('config') as string | undefined;
      if (file !== undefined) applyConfigFile(cmd, name, file);
      if (cmd.getOptionValue('printConfig')) {
        for (const { option, value, source, env } of describeConfig(cmd)) {
          process.stdout.write(`${option.padEnd(24)} ${JSON.stringify(value) ?? '(unset)'}  [${source}${env ? `, env ${env}` : ''}]\n`);
        }
        for (const { env } of API_CREDENTIALS) {
          process.stdout.write(`${env.padEnd(24)} ${process.env[env] ? '<redacted>' : '(unset)'}  [env]\n`);
        }
        throw new CommanderError(0, 'bulk-submit.printConfig', 'printed the configuration');
      }
    });
  }
  // Commander puts "(Did you mean …?)" on a line of its own: keep every usage error to one line.
  // Prefixed as every other message is: a bad value from a BULK_SUBMIT_* variable names it in the same line.
  const oneLine = (text: string, write: (text: string) => void): void => write(`bulk-submit: ${text.trimEnd().replace(/\n+/g, ' ')}\n`);
  for (const command of [program, ...program.commands, ...ledger.commands]) command.configureOutput({ outputError: oneLine });
  program.exitOverride();
  for (const command of [...program.commands, ...ledger.commands]) command.exitOverride();
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
// One that no option reads is said once: a misspelt flag is refused, and a misspelt variable must not go unseen.
for (const { name, closest } of unknownEnvNames(process.env)) {
  process.stderr.write(`bulk-submit: warning: ${name} is not the variable of any option, and is ignored${closest ? ` (did you mean ${closest}?)` : ''}\n`);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; real usage errors are exit 2 (already printed).
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    process.stderr.write(`bulk-submit: error: ${describeError(error)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeOfError(error);
  }
}
