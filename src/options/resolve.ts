import { BulkError } from '../errors.js';
import type { LibraryOptions, OptionName, ResolvedOptions } from './option-types.js';
import { OPTIONS, optionFlag, optionKey } from './table.js';
import type { CommandName, OptionSpec } from './table.js';

/**
 * Checks a library caller's options by the table's own parsers, ranges and choices (the command line's,
 * already checked by commander, pass unchanged), and applies the table's defaults: one place, so the
 * library and the command line can never disagree on what an option may be.
 */
export function resolveOptions<C extends CommandName>(command: C, options: LibraryOptions<C>): ResolvedOptions<C> {
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
