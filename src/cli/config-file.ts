import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { BulkError } from '../index.js';
import { OPTIONS, SECRET_HEADER, envName, optionKey } from '../options/index.js';
import type { CommandName } from '../options/index.js';

/** Option names whose values are never shown: they are, or may hold, credentials. */
const SECRET_KEYS = new Set(['apiSecret', 'header']);

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
    throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: ${reason}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: must be a JSON object of option names, e.g. {"concurrency": 16}`);
  }
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const option = optionOf(command, key);
    if (!option || key === 'config') {
      const known = OPTIONS.filter((o) => o.commands.includes(name)).map(optionKey);
      throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: unknown key "${key}" for ${name}; known keys: ${known.join(', ')}`);
    }
    const source = command.getOptionValueSource(key);
    if (source === 'cli' || source === 'env') continue;
    let parsed: unknown = raw;
    const spec = OPTIONS.find((o) => o.flags === option.flags);
    if (spec?.parse && (typeof raw === 'string' || typeof raw === 'number')) {
      try {
        parsed = (spec.parse as (value: string, previous: unknown) => unknown)(String(raw), undefined);
      } catch (error) {
        throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: "${key}" ${(error as Error).message}`);
      }
    } else if (option.isBoolean() && typeof raw !== 'boolean') {
      throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: "${key}" must be true or false, got ${JSON.stringify(raw)}`);
    }
    if (option.argChoices && !option.argChoices.includes(String(parsed))) {
      throw new BulkError('BULK_CONFIG_INVALID', `Invalid --config ${file}: "${key}" must be one of ${option.argChoices.join(', ')}, got ${JSON.stringify(raw)}`);
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
