import { createHash } from 'node:crypto';

/**
 * A deterministic eventId for a row that has none: the same row (content and position) gets the same
 * id on every retry and every re-run, so the service's 409 turns a re-send into "already stored"
 * instead of a duplicate. `bs-` + 40 hex digits matches the API's `[a-zA-Z0-9\-_]+`, ≤ 256 chars.
 */
export function generateEventId(row: number, recordJson: string): string {
  return `bs-${createHash('sha1').update(`${row}\n${recordJson}`).digest('hex')}`;
}
