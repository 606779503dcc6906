import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BulkError } from '../errors.js';

/** What a transform is told of a row besides its record: where it is, and its input as read. */
export interface TransformRow {
  /** The input as given on the command line (`-` for stdin). */
  readonly file: string;
  /** Physical line where the row starts. */
  readonly line: number;
  /** 1-based data row in its file. */
  readonly row: number;
  /** CSV: the cells by header name, as read (text); NDJSON: the line's parsed value. */
  readonly cells: unknown;
}

/** `--transform`'s default export: the record to validate and send, null to leave the row out, or a promise of either. */
export type Transform = (record: Record<string, unknown>, row: TransformRow) => unknown;

/** The module as given (for messages) and its file URL (to import). */
export interface TransformSpec {
  readonly file: string;
  readonly url: string;
}

/** How long `node --check` may take to find a syntax error's line. */
const SYNTAX_CHECK_MS = 10_000;

/** The line a syntax error is on, as `node --check` finds it (import() does not say): the failure path only. */
async function syntaxErrorLine(path: string): Promise<number | undefined> {
  const { spawnSync } = await import('node:child_process');
  const check = spawnSync(process.execPath, ['--check', path], { timeout: SYNTAX_CHECK_MS });
  const where = /:(\d+)\r?\n/.exec(String(check.stderr ?? ''));
  return where ? Number(where[1]) : undefined;
}

/** Why the module did not load, as one line naming the file and, when known, the line. */
async function loadFailure(spec: TransformSpec, error: unknown): Promise<BulkError> {
  const path = fileURLToPath(spec.url);
  if (!existsSync(path)) return new BulkError('BULK_TRANSFORM_INVALID', '--transform module not found', { file: spec.file, line: undefined, cause: error });
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (error instanceof SyntaxError) {
    return new BulkError('BULK_TRANSFORM_INVALID', `--transform module has a syntax error: ${message}`, { file: spec.file, line: await syntaxErrorLine(path), cause: error });
  }
  // Thrown by the module's own top-level code: its line is in the stack, after the module's URL.
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const at = stack.indexOf(`${spec.url}:`);
  const line = at === -1 ? undefined : Number.parseInt(stack.slice(at + spec.url.length + 1), 10);
  return new BulkError('BULK_TRANSFORM_INVALID', `--transform module failed to load: ${message}`, { file: spec.file, line: Number.isNaN(line) ? undefined : line, cause: error });
}

/**
 * Imports the --transform module where rows are mapped (the mapping thread, for a large input). One that
 * cannot be loaded, or whose default export is not a function, is refused before anything is sent.
 */
export async function loadTransform(spec: TransformSpec): Promise<Transform> {
  let module: { default?: unknown };
  try {
    module = (await import(spec.url)) as { default?: unknown };
  } catch (error) {
    throw await loadFailure(spec, error);
  }
  if (typeof module.default !== 'function') {
    throw new BulkError('BULK_TRANSFORM_INVALID', '--transform module has no default export that is a function: write export default function (record, row) { … }', { file: spec.file });
  }
  return module.default as Transform;
}

/** A row's CSV cells by header name (a header named `__proto__` still gets a property of its own). */
export function cellsByHeader(header: readonly string[], cells: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) {
    const name = header[i];
    if (name === '__proto__') Object.defineProperty(out, name, { value: cells[i] ?? '', enumerable: true, writable: true, configurable: true });
    else out[name] = cells[i] ?? '';
  }
  return out;
}

/** What a transform threw, as the row's error: `transform: <message>`, on one line. */
export function transformFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `transform: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Is it a promise (or another thenable)? Only then is it awaited: a sync transform costs no microtask. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
