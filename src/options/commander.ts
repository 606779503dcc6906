import { Option } from 'commander';
import { closestName } from '../util/closest.js';
import { OPTIONS } from './table.js';
import type { CommandName, OptionSpec } from './table.js';

/** `--max-errors` → `BULK_SUBMIT_MAX_ERRORS`. */
export function envName(spec: OptionSpec): string | undefined {
  if (spec.env === false) return undefined;
  if (spec.env !== undefined) return spec.env;
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(spec.flags)?.[1];
  return long ? `BULK_SUBMIT_${long.replace(/-/g, '_').toUpperCase()}` : undefined;
}

const ENV_PREFIX = 'BULK_SUBMIT_';

/**
 * The BULK_SUBMIT_* variables in `env` that no option reads, each with the closest one that does: a
 * misspelt variable is otherwise ignored without a word, while a misspelt flag is refused.
 */
export function unknownEnvNames(env: Readonly<Record<string, string | undefined>>): { name: string; closest: string | undefined }[] {
  const known = new Set(OPTIONS.map(envName).filter((name): name is string => name?.startsWith(ENV_PREFIX) === true));
  const tails = [...known].map((name) => name.slice(ENV_PREFIX.length));
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !known.has(name))
    .sort()
    .map((name) => {
      const closest = closestName(name.slice(ENV_PREFIX.length), tails);
      return { name, closest: closest === undefined ? undefined : ENV_PREFIX + closest };
    });
}

/** Builds the commander options for one command from the table. */
export function commanderOptions(command: CommandName): Option[] {
  return OPTIONS
    .filter((spec) => spec.commands.includes(command))
    .map((spec) => {
      const option = new Option(spec.flags, spec.appliedByRun ? `${spec.description} (default: ${spec.defaultText})` : spec.description).helpGroup(`${spec.group} options:`);
      const env = envName(spec);
      if (env) option.env(env);
      if (spec.choices) option.choices(spec.choices);
      if (spec.parse) option.argParser(spec.parse as (value: string, previous: unknown) => unknown);
      // A negatable flag's default is commander's own (on); the others' come from the table.
      if (spec.defaultValue !== undefined && !spec.appliedByRun && typeof spec.defaultValue !== 'boolean') option.default(spec.defaultValue, spec.defaultText);
      return option;
    });
}
