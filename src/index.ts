/**
 * bulk-submit as a library: no side effects on import, nothing printed, no process.exit.
 * `run()` reads, maps, validates and submits; `startServer()` is the local API.
 */
export { run, defaultReportPath } from './job.js';
export type { RunOptions } from './job.js';
export { startServer } from './server/server.js';
export type { ServeOptions, RunningServer, ServerCounts } from './server/server.js';
export { BulkError, ExitCode, describeError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { KINDS, KIND_NAMES } from './kinds.js';
export type { Kind } from './kinds.js';
export { Stats } from './report/index.js';
export type { Summary, ReportLine, RowStatus } from './report/index.js';
export { parseDuration } from './util/duration.js';
