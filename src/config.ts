import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { OptionError } from './index.js';
import { OPTIONS, envName } from './options.js';
import type { CommandName } from './options.js';

/** Option names whose values are never shown: they are, or may hold, credentials. */
const SECRET_KEYS = new Set(['apiSecret', 'header']);
const SECRET_HEADER = /secret|authorization|token|key|cookie|password/i;

function optionOf(command: Command, key: string): Option | undefined {
  return command.options.find((o) => o.attributeName() === key);
}

/**
 * Applies a JSON config file (`--config FILE`, keys = long option names in camelCase) under flags and
 * environment: commander already set flags ('cli') and env ('env'); a config value only replaces a
 * default. Unknown keys, and keys of options this command does not take, are errors.
 */
export function applyConfigFile(command: Command, name: CommandName, file: string): void {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not valid JSON: ${error.message}` : `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new OptionError(`Invalid --config ${file}: ${reason}`, 'BULK_CONFIG_INVALID');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OptionError(`Invalid --config ${file}: must be a JSON object of option names, e.g. {"concurrency": 16}`, 'BULK_CONFIG_INVALID');
  }
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const option = optionOf(command, key);
    if (!option || key === 'config') {
      const known = OPTIONS.filter((o) => o.commands.includes(name)).map((o) => /--(?:no-)?([a-z0-9-]+)/.exec(o.flags)?.[1]?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
      throw new OptionError(`Invalid --config ${file}: unknown key "${key}" for ${name}; known keys: ${known.join(', ')}`, 'BULK_CONFIG_INVALID');
    }
    const source = command.getOptionValueSource(key);
    if (source === 'cli' || source === 'env') continue;
    let parsed: unknown = raw;
    const spec = OPTIONS.find((o) => o.flags === option.flags);
    if (spec?.parse && (typeof raw === 'string' || typeof raw === 'number')) {
      try {
        parsed = spec.parse(String(raw), undefined);
      } catch (error) {
        throw new OptionError(`Invalid --config ${file}: "${key}" ${(error as Error).message}`, 'BULK_CONFIG_INVALID');
      }
    } else if (option.isBoolean() && typeof raw !== 'boolean') {
      throw new OptionError(`Invalid --config ${file}: "${key}" must be true or false, got ${JSON.stringify(raw)}`, 'BULK_CONFIG_INVALID');
    }
    if (option.argChoices && !option.argChoices.includes(String(parsed))) {
      throw new OptionError(`Invalid --config ${file}: "${key}" must be one of ${option.argChoices.join(', ')}, got ${JSON.stringify(raw)}`, 'BULK_CONFIG_INVALID');
    }
    command.setOptionValueWithSource(key, parsed, 'config');
  }
}

/** The effective settings with where each came from, secrets redacted: for `--print-config`. */
export function describeConfig(command: Command): { option: string; value: unknown; source: string; env: string | undefined }[] {
  return command.options
    .filter((o) => !['printConfig', 'help'].includes(o.attributeName()))
    .filter((o, i, all) => all.findIndex((x) => x.attributeName() === o.attributeName()) === i)
    .map((o) => {
      const key = o.attributeName();
      let value: unknown = command.getOptionValue(key);
      if (key === 'header' && value && typeof value === 'object') {
        value = Object.fromEntries(Object.entries(value as Record<string, string>).map(([k, v]) => [k, SECRET_HEADER.test(k) ? '<redacted>' : v]));
      } else if (SECRET_KEYS.has(key) && value !== undefined) {
        value = '<redacted>';
      }
      const spec = OPTIONS.find((s) => s.flags === o.flags);
      return { option: key, value, source: command.getOptionValueSource(key) ?? 'unset', env: spec ? envName(spec) : undefined };
    });
}
