/**
 * One error family for the whole library, after undici's `lib/core/errors.js`: one class whose stable
 * string `code` says what went wrong, and which callers match on. No subclass per kind: a class is lost
 * when an error crosses from a preparing thread to the main one (structured clone keeps none), and the
 * code is not; so nothing may depend on which class an error was. What a code means for the process (its
 * exit code) is the CLI's business alone (src/cli.ts).
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
  | 'BULK_ENDPOINT_WRONG'
  | 'BULK_NOT_API'
  | 'BULK_MAX_ERRORS'
  | 'BULK_OUTAGE'
  | 'BULK_RUN_FAILED'
  | 'BULK_QUOTA'
  | 'BULK_LEDGER_INVALID'
  | 'BULK_LEDGER_WRITE'
  | 'BULK_INSECURE_HTTP'
  | 'BULK_NO_CREDENTIALS'
  | 'BULK_TLS'
  | 'BULK_SERVER';

/** Every error the library throws on purpose is one of these, told apart by `code`. */
export class BulkError extends Error {
  readonly code: ErrorCode;
  /** Input file the error is about, when there is one. */
  readonly file: string | undefined;
  /** 1-based physical line in `file`, when known. */
  readonly line: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { file?: string | undefined; line?: number | undefined; cause?: unknown } = {},
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
