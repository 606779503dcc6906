import type { ResourceLimits } from 'node:worker_threads';
import { AHEAD } from './hand-over.js';

/** How much of itself the preparing stage may hold: each thread's V8 heap, and how far it reads ahead. */
export interface StageMemory {
  /** For each preparing thread. */
  readonly resourceLimits: ResourceLimits;
  /** Chunks or parcels one end may hand over and the next not yet take. */
  readonly ahead: number;
  /** The process's memory limit this plan was made for (bytes), or undefined when it has none. */
  readonly limit: number | undefined;
}

/** A limit at or above this is no constraint worth planning for: the roomy plan runs fastest. */
const ROOMY_BYTES = 1024 * 1024 * 1024;
/** Of a tight limit, the share each preparing thread's old generation may take, within these bounds (MB). */
const OLD_SHARE = 0.15;
const OLD_MIN_MB = 32;
const OLD_MAX_MB = 128;

/**
 * The stage's memory, from the process's limit (process.constrainedMemory(): a cgroup's, as a container
 * or a systemd unit sets it). Without one, young generations of 16 MB (the threads' garbage is
 * short-lived rows: a smaller one costs the reading thread a fifth of its time in scavenges) and V8's
 * own old-generation sizing. Under one (a 256 MiB pod), young generations of 8 MB, old generations
 * held to a share of the limit (V8 then collects before it grows past it), and half the read-ahead, so
 * that the whole process, two threads and the main one, stays inside the limit at any input size.
 */
export function stageMemory(limit: number | undefined = constrainedMemory()): StageMemory {
  if (limit === undefined || limit >= ROOMY_BYTES) return { resourceLimits: { maxYoungGenerationSizeMb: 16 }, ahead: AHEAD, limit };
  const oldMb = Math.min(OLD_MAX_MB, Math.max(OLD_MIN_MB, Math.floor((limit / 2 ** 20) * OLD_SHARE)));
  return { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: oldMb }, ahead: Math.max(2, AHEAD / 2), limit };
}

/** The process's memory limit in bytes, or undefined when it has none (Node reports 0, or a huge number, then). */
function constrainedMemory(): number | undefined {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < Number.MAX_SAFE_INTEGER ? limit : undefined;
}
