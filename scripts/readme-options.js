#!/usr/bin/env node
// `npm run readme`: writes README's option tables from the options table (src/options.ts, built to
// dist/), between `<!-- options: COMMAND -->` and `<!-- /options -->`. A test fails when README differs
// from what this would write, so the tables can never drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeTable } from '../dist/options/index.js';

const README = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

/** README with every marked table rendered anew. */
export function renderReadme(text) {
  return text.replace(/(<!-- options: (\w+) -->\n)[\s\S]*?(<!-- \/options -->)/g, (_, open, command, close) => `${open}${readmeTable(command)}\n${close}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(README, 'utf8');
  const rendered = renderReadme(text);
  writeFileSync(README, rendered);
  process.stdout.write(rendered === text ? 'README option tables were up to date\n' : 'README option tables rewritten\n');
}
