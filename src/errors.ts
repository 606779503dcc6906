/**
 * One error family for the whole library, after undici's `lib/core/errors.js`: a base class with a
 * stable string `code` that callers match on (not `instanceof`), and a subclass per kind of failure.
 * What a code means for the process (its exit code) is the CLI's business alone (src/cli.ts).
 */

export type ErrorCode =
  | 'BULK_USAGE'
  | 'BULK_OPTION_INVALID'
  | 'BULK_CONFIG_INVALID'
  | 'BULK_SCHEMA_INVALID'
  | 'BULK_MAP_INVALID'
  | 'BULK_TRANSFORM_INVALID'
  | 'BULK_FILE_NOT_FOUND'
  | 'BULK_FILE_UNREADABLE'
  | 'BULK_FILE_EMPTY'
  | 'BULK_FILE_ENCODING'
  | 'BULK_FORMAT_UNKNOWN'
  | 'BULK_HEADER_UNKNOWN'
  | 'BULK_HEADER_DUPLICATE'
  | 'BULK_HEADER_EMPTY'
  | 'BULK_REPORT_EXISTS'
  | 'BULK_REPORT_UNWRITABLE'
  | 'BULK_REPORT_MISMATCH'
  | 'BULK_REPORT_LOCKED'
  | 'BULK_REPORT_WRITE'
  | 'BULK_REPORT_UNREADABLE'
  | 'BULK_INPUT_CHANGED'
  | 'BULK_INPUT_CUT'
  | 'BULK_REJECTS_MIXED'
  | 'BULK_AUTH_REFUSED'
  | 'BULK_MAX_ERRORS'
  | 'BULK_OUTAGE'
  | 'BULK_QUOTA'
  | 'BULK_INSECURE_HTTP'
  | 'BULK_TLS'
  | 'BULK_SERVER';

/** Base class: every error the library throws on purpose is one of these. */
export class BulkError extends Error {
  readonly code: ErrorCode;
  /** Input file the error is about, when there is one. */
  readonly file: string | undefined;
  /** 1-based physical line in `file`, when known. */
  readonly line: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { file?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = options.file;
    this.line = options.line;
  }

  /** One line for a human: `file:line: message`. */
  toLine(): string {
    const where =
      this.file === undefined ? '' : this.line === undefined ? `${this.file}: ` : `${this.file}:${this.line}: `;
    return `${where}${this.message}`;
  }
}

/** A command-line option or config value is malformed. */
export class OptionError extends BulkError {
  constructor(message: string, code: ErrorCode = 'BULK_OPTION_INVALID') {
    super(code, message);
  }
}

/** The schema given with --schema (or a bundled one) cannot be used. */
export class SchemaError extends BulkError {
  constructor(message: string, file?: string, cause?: unknown) {
    super('BULK_SCHEMA_INVALID', message, { ...(file === undefined ? {} : { file }), cause });
  }
}

/** The --transform module cannot be loaded, or exports no function; found before anything was sent. */
export class TransformError extends BulkError {
  constructor(message: string, file: string, line?: number, cause?: unknown) {
    super('BULK_TRANSFORM_INVALID', message, { file, ...(line === undefined ? {} : { line }), cause });
  }
}

/** An input file cannot be read as a whole, found before anything was sent. */
export class InputError extends BulkError {
  constructor(code: ErrorCode, message: string, file: string, line?: number, cause?: unknown) {
    super(code, message, { file, ...(line === undefined ? {} : { line }), cause });
  }
}

/** The CSV header cannot be mapped onto the schema; found before anything was sent. */
export class HeaderError extends BulkError {
  constructor(code: ErrorCode, message: string, file: string, line = 1) {
    super(code, message, { file, line });
  }
}

/** Report, rejects or summary file problems (found before anything was sent), or a report that cannot be read back. */
export class ReportError extends BulkError {
  constructor(code: ErrorCode, message: string, file?: string, line?: number) {
    super(code, message, { ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) });
  }
}

/** Why a run stopped part-way: auth refused, too many errors, endpoint down too long, input changed. */
export class AbortError extends BulkError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

/** Turns anything thrown into one line for a human. */
export function describeError(error: unknown): string {
  if (error instanceof BulkError) return error.toLine();
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** An error as it crosses a thread boundary (structured clone keeps no class). */
export interface TransferredError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly code?: string | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

/** Flattens an error for postMessage; `fromTransferable` on the other side rebuilds it. */
export function toTransferable(error: unknown): TransferredError {
  if (error instanceof BulkError) {
    return { name: error.name, message: error.message, stack: error.stack, code: error.code, file: error.file, line: error.line };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, stack: error.stack, code: typeof code === 'string' ? code : undefined };
  }
  return { name: 'Error', message: String(error) };
}

/** Rebuilds an error from `toTransferable`: a BulkError keeps its code, file, line and stack. */
export function fromTransferable(data: TransferredError): Error {
  let error: Error;
  if (data.code?.startsWith('BULK_')) {
    error = new BulkError(data.code as ErrorCode, data.message, {
      ...(data.file === undefined ? {} : { file: data.file }),
      ...(data.line === undefined ? {} : { line: data.line }),
    });
  } else {
    error = new Error(data.message);
    if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
  }
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
