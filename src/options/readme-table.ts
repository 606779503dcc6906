import { envName } from './commander.js';
import { OPTIONS } from './table.js';
import type { CommandName, OptionSpec } from './table.js';

/** One row of the documented option tables: `| flags | default | env | meaning |`. */
function readmeRow(spec: OptionSpec): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const code = (text: string): string => `\`${cell(text)}\``;
  const shown = spec.defaultText === undefined ? (spec.defaultValue === undefined ? '' : code(String(spec.defaultValue))) : cell(spec.defaultText);
  const env = envName(spec);
  return `| ${code(spec.flags)} | ${shown} | ${env ? code(env) : ''} | ${cell(spec.description)} |`;
}

/** The documented table of a command's options, rendered from OPTIONS (a test holds the docs to it). */
export function readmeTable(command: CommandName): string {
  const rows = OPTIONS.filter((spec) => spec.commands.includes(command)).map(readmeRow);
  return ['| option | default | env | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
