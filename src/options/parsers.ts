import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../util/duration.js';

/**
 * The options table's parsers: each turns a flag's text into its value and checks it, and takes the
 * value itself as well (a number, a shard), so a library caller's options are checked by the same rule
 * and range as the command line's (resolveOptions). They throw commander's InvalidArgumentError: on the
 * command line commander words it; elsewhere resolveOptions does.
 */

/** A whole number from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string | number): number => {
    const text = String(value);
    const n = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got "${text}"`);
    }
    return n;
  };
}

/** `250ms`, `30s`, `10m`, `1h` or milliseconds → milliseconds. */
export function duration(value: string | number): number {
  try {
    return parseDuration(String(value));
  } catch {
    throw new InvalidArgumentError(`must be a duration like 250ms, 30s, 10m, 1h or milliseconds, got "${value}"`);
  }
}

/** Most requests in flight: a fixed number, or adapting to the endpoint (`auto`) up to `max`. */
export type Concurrency = number | { readonly auto: true; readonly max: number };

/** The most an adapting limit grows to when `auto` names no maximum. */
export const AUTO_CONCURRENCY_MAX = 64;

/** `8` → 8; `auto` → adapting up to 64; `auto:32` → adapting up to 32; a number from 1 to 256 either way. */
export function concurrency(value: string | Concurrency): Concurrency {
  if (typeof value === 'object') return { auto: true, max: integer(1, 256)(value.max) };
  const auto = /^\s*auto(?::(.*))?$/i.exec(String(value));
  if (!auto) {
    try {
      return integer(1, 256)(value);
    } catch {
      throw new InvalidArgumentError(`must be a whole number from 1 to 256, or auto (auto:N to adapt up to N), got "${value}"`);
    }
  }
  if (auto[1] === undefined) return { auto: true, max: AUTO_CONCURRENCY_MAX };
  try {
    return { auto: true, max: integer(1, 256)(auto[1]) };
  } catch {
    throw new InvalidArgumentError(`auto:N takes a whole number from 1 to 256, got "${value}"`);
  }
}

/** A duration above zero: a time limit of 0 ms would end every request before it starts. */
export function positiveDuration(value: string | number): number {
  const ms = duration(value);
  if (ms <= 0) throw new InvalidArgumentError(`must be a duration above 0 like 250ms, 30s, 10m or 1h, got "${value}"`);
  return ms;
}

/** `1048576`, `512KiB`, `1MiB` → bytes. */
export function bytes(value: string | number): number {
  const match = /^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$/i.exec(String(value));
  if (!match) throw new InvalidArgumentError(`must be a size like 1048576, 512KiB or 1MiB, got "${value}"`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}

/** The one rule for what a header name hides: its value is a credential, never shown or sent in the clear. */
export const SECRET_HEADER = /secret|authorization|api-id|token|key|cookie|password/i;

/** `Name: value` → [name, value]. */
export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError(`must look like "Name: value", got "${line}"`);
  }
  return [name.toLowerCase(), line.slice(colon + 1).trim()];
}

/** A repeatable file option: each one adds to the list. */
export function collectFile(value: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

/** A repeatable `Name: value` option: each one adds a header. */
export function collectHeader(value: string, previous: unknown): Record<string, string> {
  const [name, text] = parseHeaderLine(value);
  return { ...(previous as Record<string, string> | undefined), [name]: text };
}

/** One CSV delimiter character; `tab` or `\t` for a tab. */
export function delimiter(value: string): string {
  const text = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (text.length !== 1 || text === '"' || text === '\n' || text === '\r') {
    throw new InvalidArgumentError(`must be one character such as , ; | or tab, got "${value}"`);
  }
  return text;
}

/** `K/N` (or {index: K, count: N}) → {index: K, count: N}. */
export function shard(value: string | { readonly index: number; readonly count: number }): { index: number; count: number } {
  const text = typeof value === 'string' ? value : `${value.index}/${value.count}`;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) throw new InvalidArgumentError(`must be K/N with 0 ≤ K < N, e.g. 0/4, got "${text}"`);
  return { index, count };
}

/** `0.2` or `20%` → 0.2. */
export function share(value: string | number): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(String(value));
  const n = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`must be a share from 0 to 1 (or 0% to 100%), got "${value}"`);
  return n;
}

/** `50ms` or `50ms:20ms` → {latencyMs, latencyJitterMs}. */
export function latency(value: string | { readonly latencyMs: number; readonly latencyJitterMs: number }): { latencyMs: number; latencyJitterMs: number } {
  if (typeof value !== 'string') return { latencyMs: duration(value.latencyMs), latencyJitterMs: duration(value.latencyJitterMs) };
  const [base = '', jitter] = value.split(':');
  return { latencyMs: duration(base), latencyJitterMs: jitter === undefined ? 0 : duration(jitter) };
}

/** `AFTER:DURATION`, e.g. `30s:2m` → {afterMs, durationMs}. */
export function outage(value: string | { readonly afterMs: number; readonly durationMs: number }): { afterMs: number; durationMs: number } {
  if (typeof value !== 'string') return { afterMs: duration(value.afterMs), durationMs: duration(value.durationMs) };
  const [after, length] = value.split(':');
  if (after === undefined || length === undefined) throw new InvalidArgumentError(`must be AFTER:DURATION such as 30s:2m, got "${value}"`);
  return { afterMs: duration(after), durationMs: duration(length) };
}

/** A share --max-errors judges only from this many rows on: the first few rows say little of a file. */
export const ERROR_SHARE_FROM_ROWS = 100;

/** `--max-errors`: a count (`10`) or a share of the rows read so far (`2%`). */
export type ErrorBudget = number | `${number}%`;

/** `10` → 10; `2%` or `2.5%` → the same text, checked. */
export function errorBudget(value: string | number): ErrorBudget {
  const text = String(value).trim();
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

/** An http(s) URL. */
export function httpUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidArgumentError(`must be an http or https URL, got "${value}"`);
  return value;
}

/** A --metrics-job name: a few words' worth, no dates expected (a label value must not change nightly). */
export function metricsJob(value: string): string {
  if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(value)) throw new InvalidArgumentError(`must be a name of letters, digits, "_", "-" and "." (up to 100), got "${value}"`);
  return value;
}

/** An API path: starts with `/`. */
export function apiPath(value: string): string {
  if (!value.startsWith('/')) throw new InvalidArgumentError(`must start with /, got "${value}"`);
  return value;
}
