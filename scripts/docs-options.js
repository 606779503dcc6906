#!/usr/bin/env node
// `npm run docs`: writes the option tables of docs/options.md from the options table (src/options/table.ts,
// built to dist/), between `<!-- options: COMMAND -->` and `<!-- /options -->`. A test fails when the page
// differs from what this would write, so the tables can never drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeTable } from '../dist/options/index.js';

export const OPTIONS_PAGE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'options.md');

/** The page with every marked table rendered anew. */
export function renderOptionTables(text) {
  return text.replace(/(<!-- options: (\w+) -->\n)[\s\S]*?(<!-- \/options -->)/g, (_, open, command, close) => `${open}${readmeTable(command)}\n${close}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(OPTIONS_PAGE, 'utf8');
  const rendered = renderOptionTables(text);
  writeFileSync(OPTIONS_PAGE, rendered);
  process.stdout.write(rendered === text ? 'docs/options.md: the option tables were up to date\n' : 'docs/options.md: option tables rewritten\n');
}
