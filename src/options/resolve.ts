import { BulkError } from '../errors.js';
import { closestName } from '../util/closest.js';
import type { LibraryOptions, OptionName, ResolvedOptions } from './option-types.js';
import { OPTIONS, optionFlag, optionKey } from './table.js';
import type { CommandName, OptionSpec } from './table.js';

/**
 * Checks a library caller's options by the table's own parsers, ranges and choices (the command line's,
 * already checked by commander, pass unchanged), and applies the table's defaults: one place, so the
 * library and the command line can never disagree on what an option may be.
 */
export function resolveOptions<C extends CommandName>(command: C, options: LibraryOptions<C>, others: readonly string[] = [], caller: string = command): ResolvedOptions<C> {
  refuseUnknown(command, options, others, caller);
  const resolved: Record<string, unknown> = { ...options };
  for (const spec of OPTIONS) {
    if (!spec.commands.includes(command) || spec.cliOnly) continue;
    const key = optionKey(spec);
    const value = resolved[key];
    if (value !== undefined) resolved[key] = checked(spec, value);
    else if (spec.defaultValue !== undefined && !spec.appliedByRun) resolved[key] = spec.defaultValue;
  }
  return resolved as ResolvedOptions<C>;
}

/** The flags commander gave a command, less the command line's own (cliOnly: --json, --html, --config…): the library's options. */
export function libraryFlags<T extends object>(command: CommandName, flags: T): T {
  const own = new Set(OPTIONS.filter((spec) => spec.cliOnly && spec.commands.includes(command)).map(optionKey));
  return Object.fromEntries(Object.entries(flags).filter(([key]) => !own.has(key))) as T;
}

/**
 * A key that is no option of the command (nor one of `others`, what the caller takes beside the table's:
 * `files`, `signal`…) is refused with the closest name, as a misspelt flag or --config key is: a typo
 * must not run with the default in silence.
 */
function refuseUnknown(command: CommandName, options: object, others: readonly string[], caller: string): void {
  const known = [...OPTIONS.filter((spec) => spec.commands.includes(command) && !spec.cliOnly).map(optionKey), ...others];
  for (const key of Object.keys(options)) {
    if (known.includes(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const closest = closestName(key, known);
    throw new BulkError('BULK_OPTION_INVALID', `unknown option "${key}" for ${caller}()${closest ? ` (did you mean ${closest}?)` : ''}; its options are the long names of \`bulk-submit ${caller}\`'s flags in camelCase`);
  }
}

/** A value as the option's parser and choices make it, or a BULK_OPTION_INVALID error saying which rule it broke. */
function checked(spec: OptionSpec, value: unknown): unknown {
  const refuse = (rule: string): never => {
    throw new BulkError('BULK_OPTION_INVALID', `Invalid ${optionFlag(spec)}: ${rule}`);
  };
  if (spec.choices && !spec.choices.includes(String(value))) refuse(`must be one of ${spec.choices.join(', ')}, got "${String(value)}"`);
  if (!spec.flags.includes('<') && typeof value !== 'boolean') refuse(`must be true or false, got ${JSON.stringify(value)}`);
  // A repeatable option's parser adds one text to a list: the library is given the list itself.
  if (!spec.parse || spec.repeatable) return value;
  try {
    return (spec.parse as (value: unknown, previous: unknown) => unknown)(value, undefined);
  } catch (error) {
    return refuse((error as Error).message);
  }
}

function specOf(name: OptionName): OptionSpec {
  const spec = OPTIONS.find((o) => new RegExp(`--${name}(?: |$)`).test(o.flags));
  if (!spec || spec.defaultValue === undefined) throw new Error(`the options table declares no default for --${name}`);
  return spec;
}

/** An option's numeric default, from the table: for a default a rule applies (appliedByRun), or a module below the run. */
export function numberDefault(name: OptionName): number {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'number') throw new Error(`the default of --${name} is not a number`);
  return value;
}

/** An option's text default, from the table. */
export function textDefault(name: OptionName): string {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'string') throw new Error(`the default of --${name} is not text`);
  return value;
}

/** A negatable option's default (`--no-trim` → trim is on by default), from the table. */
export function flagDefault(name: OptionName): boolean {
  const value = specOf(name).defaultValue;
  if (typeof value !== 'boolean') throw new Error(`the default of --${name} is not on or off`);
  return value;
}
