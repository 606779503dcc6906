/**
 * The options, declared once (table.ts): commander's options and --help, the environment, --config,
 * the documented tables, the flags' and the library's types (option-types.ts), and the checks and
 * defaults the library applies (resolve.ts) all come from the one table.
 */
export { OPTIONS, optionFlag, optionKey } from './table.js';
export type { CommandName, OptionSpec } from './table.js';
export type { Flags, LibraryOptions, OptionName, ResolvedOptions } from './option-types.js';
export { flagDefault, libraryFlags, numberDefault, resolveOptions, textDefault } from './resolve.js';
export { commanderOptions, envName, unknownEnvNames } from './commander.js';
export { readmeTable } from './readme-table.js';
export { ERROR_SHARE_FROM_ROWS, SECRET_HEADER, errorBudget, parseHeaderLine, shard, timeZone } from './parsers.js';
export type { Concurrency, ErrorBudget } from './parsers.js';
