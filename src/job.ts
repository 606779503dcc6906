import { setMaxListeners } from 'node:events';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { AbortError, BulkError, ExitCode, OptionError, ReportError } from './errors.js';
import type { Format, SourceRow } from './input/index.js';
import { KINDS } from './kinds.js';
import type { Kind } from './kinds.js';
import { fieldsOf } from './mapping/index.js';
import type { ColumnMap } from './mapping/index.js';
import { INVALID, RAW, SEND, rowOf } from './prepare/chunk.js';
import { startPreparing } from './prepare/channel.js';
import { RowPreparer } from './prepare/prepare.js';
import type { PrepareOptions } from './prepare/prepare.js';
import { FileSink, RejectsWriter, ReportLock, ReportWriter, Stats, readResumeState } from './report/index.js';
import type { ResumeState } from './report/index.js';
import type { ReportLine, RowStatus, Summary } from './report/index.js';
import { loadSchema, validatorFor } from './schema/index.js';
import { forEachBounded } from './submit/bounded.js';
import { batchBody, batches, classifyBatch } from './submit/batch.js';
import { classify } from './submit/outcome.js';
import type { Outcome } from './submit/outcome.js';
import { DEFAULT_RETRY, retryDelay, wait } from './submit/retry.js';
import type { HttpResult } from './submit/client.js';
import { Throttle } from './submit/throttle.js';
import { formatDuration } from './util/duration.js';

/** Everything one run needs; the CLI builds it from flags, env and config. */
export interface RunOptions {
  /** `validate` (or `dryRun`) reads, maps and validates only: nothing is sent. */
  readonly command: 'submit' | 'validate';
  readonly files: readonly string[];
  readonly kind: Kind;
  /** A schema file instead of the kind's bundled one. */
  readonly schemaFile?: string | undefined;
  /** API path instead of the kind's single-record path. */
  readonly path?: string | undefined;
  /** Input format when the file name does not tell (required for stdin). */
  readonly format?: Format | undefined;
  /** CSV header → property (or null to drop), from `--map`. */
  readonly map?: ColumnMap | undefined;
  readonly endpoint?: string | undefined;
  /** Headers for every request, credentials included. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly concurrency?: number | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retries?: number | undefined;
  /** Requests per second, at most; 0 = unlimited (default 100, the API's spike arrest). */
  readonly rate?: number | undefined;
  /** Abort (exit 3) once every request has failed for this long (ms; default 10 minutes). */
  readonly maxOutageMs?: number | undefined;
  /** After an interrupt, how long requests in flight may take to finish (ms; default 10 s). */
  readonly drainTimeoutMs?: number | undefined;
  /** Continue the report: skip rows it already has as accepted, re-send the rest, append. */
  readonly resume?: boolean | undefined;
  /** Receives a function that writes buffered report lines synchronously, for a process about to exit at once. */
  readonly onEmergencyFlush?: ((flush: () => void) => void) | undefined;
  /**
   * Rows per request: 1 uses the single-record endpoint, 2–1000 the kind's many-* endpoint. Default:
   * DEFAULT_BATCH_SIZE for a bundled kind, 1 with a custom schema, a custom path or no generated eventIds.
   */
  readonly batchSize?: number | undefined;
  /** Send a batch that is not full once its first row has waited this long (ms). */
  readonly batchWaitMs?: number | undefined;
  /** Process only the rows whose row number mod `count` equals `index`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
  /** Abort (exit 3) once this many rows are invalid or rejected; 0 = never. */
  readonly maxErrors?: number | undefined;
  readonly report?: string | undefined;
  readonly rejects?: string | undefined;
  /** Extra trusted CA certificates (PEM text), for an endpoint behind a private CA. */
  readonly ca?: string | undefined;
  /** Allow credentials over plain http to a host that is not loopback. */
  readonly allowInsecureHttp?: boolean | undefined;
  /** Overwrite an existing report (and rejects) file. */
  readonly force?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  /** Give rows without an eventId a deterministic one (default true). */
  readonly generateEventId?: boolean | undefined;
  readonly delimiter?: string | undefined;
  readonly encoding?: 'utf8' | 'latin1' | undefined;
  /** NDJSON: convert scalar types to what the schema wants before validating. */
  readonly coerce?: boolean | undefined;
  readonly trim?: boolean | undefined;
  readonly maxRecordSize?: number | undefined;
  /** Aborting it stops reading, lets in-flight requests finish, and returns the summary. */
  readonly signal?: AbortSignal | undefined;
  /** What `-` reads (default process.stdin). */
  readonly stdin?: Readable | undefined;
  /** Counts to watch while the run goes, for progress. */
  readonly stats?: Stats | undefined;
}

/** A valid row, ready to send. */
interface Prepared {
  readonly row: SourceRow;
  readonly eventId: string | undefined;
  readonly body: string;
  /** Its digest (position and record), which the report keeps for --resume to check. */
  readonly digest: string | null;
}

/**
 * The batch size for the bundled kinds when none is given. The API allows 100 requests a second and
 * 50,000 a day (10,000 in sandbox); at one row a request that is 50,000 rows a day. BENCHMARKS.md shows
 * batches of 1000 send as fast as the rows can be validated, 100+ times faster than single rows against
 * an endpoint that answers in 50 ms, so the most a request may carry is also the best default.
 */
export const DEFAULT_BATCH_SIZE = 1000;

/** The default report name: `<first input's name>.report.ndjson` in the working directory. */
export function defaultReportPath(files: readonly string[], command: 'submit' | 'validate'): string {
  const first = files[0] ?? '-';
  const name = first === '-' ? 'stdin' : basename(first);
  return command === 'validate' ? `${name}.validation.ndjson` : `${name}.report.ndjson`;
}

/** 127.0.0.0/8, ::1 and localhost: plain http there never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function checkOptions(options: RunOptions): void {
  if (options.files.length === 0) throw new OptionError('no input files given');
  if (options.files.filter((f) => f === '-').length > 1) throw new OptionError('stdin (-) can be read only once per run');
  const positive = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new OptionError(`Invalid ${name}: must be an integer ≥ ${min}, got ${value}`);
    }
  };
  positive('--concurrency', options.concurrency, 1);
  positive('--retries', options.retries, 0);
  positive('--max-errors', options.maxErrors, 0);
  positive('--timeout', options.timeoutMs, 1);
  positive('--batch-size', options.batchSize, 1);
  if (options.resume && options.dryRun) throw new OptionError('--resume continues the report of a run that sent rows, and --dry-run sends none: drop one of them');
  if (options.batchSize !== undefined && options.batchSize > 1000) throw new OptionError(`Invalid --batch-size: at most 1000 (the API's limit), got ${options.batchSize}`);
  if (options.shard && !(Number.isInteger(options.shard.count) && options.shard.count >= 1 && options.shard.index >= 0 && options.shard.index < options.shard.count)) {
    throw new OptionError(`Invalid --shard: K/N with 0 ≤ K < N, got ${options.shard.index}/${options.shard.count}`);
  }
}

/**
 * Runs one job end to end: read → map → validate → (submit) → report. Throws a BulkError for anything
 * found before sending (exit 2); returns the summary otherwise, aborted or not. Never prints.
 */
export async function run(options: RunOptions): Promise<Summary> {
  checkOptions(options);
  const sending = options.command === 'submit' && !options.dryRun;
  const loaded = await loadSchema({ kind: options.kind, file: options.schemaFile });
  const fields = fieldsOf(loaded.schema);
  const canCarryEventId = fields.has('eventId');
  // Batches only where results can be matched to rows (eventIds) and the path is the kind's own.
  const batchSize =
    options.batchSize ?? (options.schemaFile === undefined && options.path === undefined && options.generateEventId !== false && canCarryEventId ? DEFAULT_BATCH_SIZE : 1);
  if (batchSize > 1 && sending && (!canCarryEventId || options.generateEventId === false)) {
    throw new OptionError(
      canCarryEventId
        ? '--batch-size above 1 needs an eventId on every row to match results to rows: drop --no-generate-event-id'
        : '--batch-size above 1 needs an eventId property in the schema to match results to rows; use --batch-size 1',
    );
  }

  let endpoint: URL | undefined;
  if (sending) {
    if (!options.endpoint) throw new OptionError('no endpoint: pass --endpoint URL or set BULK_SUBMIT_ENDPOINT');
    try {
      endpoint = new URL(options.endpoint);
    } catch {
      throw new OptionError(`Invalid --endpoint: must be a URL like https://api.sandbox.asapp.com, got "${options.endpoint}"`);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new OptionError(`Invalid --endpoint: must be an http or https URL, got "${options.endpoint}"`);
    }
    const carriesSecrets = Object.keys(options.headers ?? {}).some((name) => /secret|authorization|api-id|token|key/i.test(name));
    if (endpoint.protocol === 'http:' && carriesSecrets && !isLoopback(endpoint.hostname) && !options.allowInsecureHttp) {
      throw new OptionError(
        `refusing to send credentials over plain http to ${endpoint.host}: use https, or pass --allow-insecure-http if this network is trusted`,
        'BULK_INSECURE_HTTP',
      );
    }
  }

  // Where mapping and validating run: one row a request keeps the main thread busy with HTTP, so the
  // worker does everything; otherwise (batches, validate) the worker parses and the main thread maps
  // and validates, which splits the work about evenly between the two threads (see BENCHMARKS.md).
  const stage = sending && batchSize === 1 ? 'prepare' : 'parse';
  const prepareOptions: PrepareOptions = {
    files: options.files,
    schema: loaded,
    format: options.format,
    map: options.map,
    delimiter: options.delimiter,
    encoding: options.encoding,
    trim: options.trim,
    maxRecordSize: options.maxRecordSize,
    coerce: options.coerce,
    generateEventId: options.generateEventId,
    sending,
    keepCells: options.rejects !== undefined,
    shard: options.shard,
    stage,
  };
  const rowPreparer = stage === 'parse' ? new RowPreparer(prepareOptions, await validatorFor(loaded)) : undefined;
  const input = await startPreparing(prepareOptions, { stdin: options.stdin });
  const sources = input.sources;
  // The worker resolved every header already (a bad one was refused there); this cannot throw.
  if (rowPreparer) for (const source of sources) if (source.header) rowPreparer.plan(source.file, source.header);
  const sinks: FileSink[] = [];
  let lock: ReportLock | undefined;
  let resume: ResumeState | undefined;
  let report: ReportWriter;
  let rejects: RejectsWriter | undefined;
  try {
    if (options.rejects !== undefined) {
      const formats = new Set(sources.map((s) => s.format));
      const headers = new Set(sources.filter((s) => s.header).map((s) => JSON.stringify(s.header)));
      if (formats.size > 1 || headers.size > 1) {
        throw new ReportError('BULK_REJECTS_MIXED', 'one --rejects file needs inputs of one format with one header; run the files separately');
      }
    }
    const mode = options.force ? 'overwrite' : 'create';
    const reportPath = options.report ?? defaultReportPath(options.files, sending ? 'submit' : 'validate');
    lock = ReportLock.acquire(reportPath);
    if (options.resume) resume = await readResumeState(reportPath, options.files);
    const reportSink = await FileSink.open(reportPath, resume ? 'append' : mode, 'report');
    sinks.push(reportSink);
    report = new ReportWriter(reportSink, { writeHeader: true });
    if (options.rejects !== undefined) {
      // On --resume the rejects file is written anew: every row not yet accepted is tried again.
      const rejectsSink = await FileSink.open(options.rejects, resume ? 'overwrite' : mode, 'rejects');
      sinks.push(rejectsSink);
      const first = sources[0];
      rejects = new RejectsWriter(rejectsSink, first.format, first.header);
    }
  } catch (error) {
    await input.close();
    await Promise.all(sinks.map((s) => s.close()));
    lock?.release();
    throw error;
  }

  const stats = options.stats ?? new Stats();
  const sizes = sources.map((s) => s.size);
  stats.totalBytes = sizes.every((size) => size !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
  stats.bytesRead = () => input.bytesRead();
  const stop = new AbortController();
  // Every row waiting out a backoff listens on this signal: as many as --concurrency at once.
  setMaxListeners(0, stop.signal);
  options.onEmergencyFlush?.(() => {
    report.flushSync();
    rejects?.flushSync();
  });
  let aborted: AbortError | undefined;
  const abort = (error: AbortError): void => {
    aborted ??= error;
    stop.abort(error);
  };
  let drainTimer: NodeJS.Timeout | undefined;
  const onSignal = (): void => {
    stop.abort(options.signal?.reason);
    // Requests in flight get --drain-timeout to finish; then they are cut off (and reported failed).
    drainTimer = setTimeout(() => void client?.destroy(`interrupted: requests still in flight after --drain-timeout (${formatDuration(options.drainTimeoutMs ?? 10_000)})`), options.drainTimeoutMs ?? 10_000);
    drainTimer.unref();
  };
  const maxErrors = options.maxErrors ?? 0;

  /** Records a row's fate: report line, rejects line, counts. Returns a promise when the disk is behind. */
  const finish = (row: SourceRow, status: RowStatus, outcome: Partial<Outcome> & { attempts: number }, digest: string | null = null): Promise<void> | undefined => {
    const error = outcome.error ?? null;
    const line: ReportLine = {
      file: row.file,
      line: row.line,
      row: row.row,
      status,
      eventId: outcome.eventId ?? null,
      digest,
      httpStatus: outcome.httpStatus ?? null,
      attempts: outcome.attempts,
      error,
    };
    stats.count(status, error);
    const pending = [report.write(line)];
    if (rejects && status !== 'accepted' && status !== 'valid') pending.push(rejects.write(row, error ?? status, line.eventId));
    if (maxErrors > 0 && stats.invalid + stats.rejected >= maxErrors) {
      abort(new AbortError('BULK_MAX_ERRORS', `stopped after ${stats.invalid + stats.rejected} invalid or rejected rows (--max-errors ${maxErrors})`));
    }
    const waits = pending.filter((p) => p !== undefined);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  };

  /** --resume found the input changed: stop before the row that differs is sent. */
  const inputChanged = (where: string, what: string): void =>
    abort(new AbortError('BULK_INPUT_CHANGED', `${where}: ${what}: the input changed since the report was written (regenerated, re-sorted or edited?), so --resume cannot tell which rows were sent; nothing more was sent`));

  /**
   * The prepared rows, one by one: invalid rows (and, for validate, valid ones) are finished here;
   * rows to send are yielded. On --resume, a row the report has as accepted is skipped when it is
   * still the same row (its digest: position and record), and stops the run when it is not.
   */
  async function* prepared(): AsyncGenerator<Prepared> {
    for await (const chunk of input.chunks()) {
      const { status, eventIds, texts, digests } = chunk;
      for (let i = 0; i < status.length; i++) {
        if (stop.signal.aborted) return;
        let row = rowOf(chunk, i);
        let fate = status[i];
        let eventId = eventIds[i];
        let text = texts[i];
        let digest = digests[i];
        if (fate === RAW) {
          ({ fate, eventId, text, digest } = rowPreparer!.prepare(row));
          // In flight, a row needs its cells only for the rejects file.
          if (!rejects) row = { file: row.file, line: row.line, row: row.row };
        }
        const check = resume?.check(chunk.file, row.row, fate === SEND ? digest : null);
        if (check === 'same') {
          stats.skipped++;
          continue;
        }
        if (check === 'changed') {
          const now = fate === SEND ? `its digest is ${digest}` : `it is now invalid (${text})`;
          inputChanged(`${row.file}:${row.line}`, `row ${row.row} is not the row the report has as accepted (${now})`);
          return;
        }
        if (fate === SEND) {
          yield { row, eventId: eventId ?? undefined, body: text, digest };
        } else {
          const wait = fate === INVALID ? finish(row, 'invalid', { attempts: 0, error: text, eventId: eventId ?? undefined }) : finish(row, 'valid', { attempts: 0 });
          if (wait) await wait;
        }
      }
      const max = chunk.fileRows === undefined ? 0 : (resume?.maxRow(chunk.file) ?? 0);
      if (chunk.fileRows !== undefined && chunk.fileRows < max) {
        inputChanged(chunk.file, `${chunk.file === '-' ? 'stdin' : 'the input'} ends after row ${chunk.fileRows}, but the report has rows up to ${max}`);
        return;
      }
    }
  }

  const retry = { ...DEFAULT_RETRY, retries: options.retries ?? DEFAULT_RETRY.retries };
  // undici is loaded only by a run that sends: validate and --dry-run start without it.
  const client =
    sending && endpoint
      ? new (await import('./submit/client.js')).HttpClient({
          endpoint: endpoint.href,
          headers: options.headers ?? {},
          concurrency: options.concurrency ?? 8,
          timeoutMs: options.timeoutMs ?? 30_000,
          ca: options.ca,
        })
      : undefined;
  const apiPath = options.path ?? (batchSize > 1 ? KINDS[options.kind].many : KINDS[options.kind].single);
  const authRefused = (outcome: Outcome): void =>
    abort(new AbortError('BULK_AUTH_REFUSED', `the endpoint refused the credentials (${outcome.error ?? `HTTP ${outcome.httpStatus}`}); check ASAPP_API_ID / ASAPP_API_SECRET`));

  const throttle = new Throttle({ rate: options.rate ?? 100, concurrency: options.concurrency ?? 8, maxOutageMs: options.maxOutageMs ?? 600_000 });

  /**
   * One request, paced by the throttle (rate, AIMD, outage probing). Resolves undefined when the run
   * stopped before the request could go out: such a row was never sent and gets no report line.
   */
  const request = async (body: string): Promise<HttpResult | undefined> => {
    if (stop.signal.aborted || (!throttle.tryAcquire() && !(await throttle.acquire(stop.signal)))) return undefined;
    stats.requests++;
    const result = await client!.post(apiPath, body);
    const status = result.httpStatus;
    throttle.release(status === 429 ? 'throttled' : status === undefined || status === 408 || status >= 500 ? 'failed' : 'ok');
    if (result.tlsError) abort(new AbortError('BULK_TLS', result.networkError ?? 'TLS error'));
    if (status === 429 && result.retryAfterMs !== undefined && result.retryAfterMs > retry.maxDelayMs) {
      // A daily quota: nothing will get through for hours. Stop rather than mark every row failed.
      const until = new Date(Date.now() + result.retryAfterMs).toISOString().slice(0, 16).replace('T', ' ');
      abort(new AbortError('BULK_QUOTA', `the endpoint's quota is used up until ${until} UTC (429, Retry-After ${formatDuration(result.retryAfterMs)}); run again with --resume after that`));
    }
    if (throttle.outageExceeded) {
      abort(
        new AbortError(
          'BULK_OUTAGE',
          `every request has failed for ${formatDuration(throttle.outageMs)} (--max-outage ${formatDuration(options.maxOutageMs ?? 600_000)}; last: ${result.networkError ?? `HTTP ${status}`}); rows not yet sent are not in the report: run again with --resume`,
        ),
      );
    }
    return result;
  };

  /** Sends one row, retrying what is worth retrying, and finishes it. */
  const send = async (item: Prepared): Promise<void> => {
    let attempts = 0;
    let failures = 0;
    let outcome: Outcome | undefined;
    for (;;) {
      const result = await request(item.body);
      if (!result) break;
      attempts++;
      outcome = classify(result, item.eventId);
      if (outcome.authRefused) {
        authRefused(outcome);
        outcome = { ...outcome, status: 'failed' };
        break;
      }
      if (!outcome.retryable || result.tlsError || stop.signal.aborted) break;
      // During an outage the throttle paces the probes, and tries do not use up the row's retries.
      if (throttle.inOutage) continue;
      if (++failures > retry.retries) break;
      await wait(retryDelay(retry, failures, outcome.httpStatus, result.retryAfterMs), stop.signal);
    }
    if (outcome) await finish(item.row, outcome.status, { ...outcome, attempts }, item.digest);
  };

  /**
   * Sends a batch to the many-* endpoint. Items are matched to results by eventId; accepted and
   * rejected items are finished, retryable ones (missing result, 429, 5xx, network) are re-sent with
   * the same eventIds after the backoff; 413 splits the batch in half. `attempts` counts, per row,
   * every request that carried it.
   */
  const sendBatch = async (items: Prepared[], tries = 0): Promise<void> => {
    let pending = items;
    let attempts = tries;
    let failures = 0;
    let last: Outcome[] | undefined;
    while (pending.length > 0) {
      const result = await request(batchBody(pending));
      if (!result) break;
      attempts++;
      if (result.httpStatus === 413 && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await sendBatch(pending.slice(0, half), attempts);
        await sendBatch(pending.slice(half), attempts);
        return;
      }
      const outcomes = classifyBatch(result, pending);
      if (!throttle.inOutage && outcomes.some((o) => o.retryable)) failures++;
      const giveUp = failures > retry.retries || stop.signal.aborted || Boolean(result.tlsError);
      const again: Prepared[] = [];
      const againOutcomes: Outcome[] = [];
      for (let i = 0; i < pending.length; i++) {
        let outcome = outcomes[i];
        if (outcome.authRefused) {
          authRefused(outcome);
          outcome = { ...outcome, status: 'failed' };
        } else if (outcome.retryable && !giveUp) {
          again.push(pending[i]);
          againOutcomes.push(outcome);
          continue;
        }
        await finish(pending[i].row, outcome.status, { ...outcome, attempts }, pending[i].digest);
      }
      pending = again;
      last = againOutcomes;
      if (pending.length > 0 && !throttle.inOutage) {
        await wait(retryDelay(retry, failures, result.httpStatus, result.retryAfterMs), stop.signal);
      }
    }
    // Stopped with rows that were sent and failed: report them (a row never sent gets no line).
    if (attempts > tries) {
      for (let i = 0; i < pending.length; i++) await finish(pending[i].row, 'failed', { ...last?.[i], status: 'failed', attempts }, pending[i].digest);
    }
  };

  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) onSignal();

  let failure: unknown;
  try {
    const rows = prepared();
    if (client) {
      if (batchSize > 1) await forEachBounded(batches(rows, batchSize, options.batchWaitMs ?? 200), options.concurrency ?? 8, sendBatch, stop.signal);
      else await forEachBounded(rows, options.concurrency ?? 8, send, stop.signal);
    } else {
      for await (const item of rows) void item; // validate only: prepared() finished every row.
    }
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    clearTimeout(drainTimer);
    await Promise.allSettled([input.close(), report.close(), rejects?.close(), client?.close()]);
    lock?.release();
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrowing what a stage threw, as it was
  if (failure !== undefined) throw failure;

  const elapsedMs = Date.now() - stats.startedAt;
  const interrupted = !aborted && options.signal?.aborted ? String(options.signal.reason ?? 'SIGINT') : null;
  const notOk = stats.invalid + stats.rejected + stats.failed;
  const exitCode = aborted
    ? aborted.code === 'BULK_INPUT_CHANGED' && stats.requests === 0
      ? ExitCode.usage
      : ExitCode.aborted
    : interrupted !== null
      ? interrupted === 'SIGTERM'
        ? ExitCode.terminated
        : ExitCode.interrupted
      : notOk > 0
        ? ExitCode.rowsNotAccepted
        : ExitCode.ok;
  return {
    command: options.command,
    dryRun: options.command === 'submit' && !sending,
    files: [...options.files],
    rows: stats.rows,
    accepted: stats.accepted,
    rejected: stats.rejected,
    failed: stats.failed,
    invalid: stats.invalid,
    valid: stats.valid,
    skipped: stats.skipped,
    requests: stats.requests,
    batchSize,
    plannedRequests: sending ? null : Math.ceil(stats.valid / batchSize),
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((stats.rows * 1000) / elapsedMs) : stats.rows,
    report: report.path,
    rejects: rejects?.path ?? null,
    topErrors: stats.topErrors(),
    aborted: aborted ? { code: aborted.code, message: aborted.message } : null,
    interrupted,
    exitCode,
  };
}

export { BulkError };
