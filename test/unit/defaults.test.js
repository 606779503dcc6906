// Every default is declared once, in the options table (src/options/table.ts): the option tables of
// docs/options.md are rendered from it, and the library reads defaults from it, never from a literal of its own.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../../dist/options/index.js';
import { OPTIONS_PAGE, renderOptionTables } from '../../scripts/docs-options.js';
import { ROOT } from '../helpers/cli.js';

test('docs/options.md\'s option tables are exactly what the options table renders (npm run docs rewrites them)', () => {
  const page = readFileSync(OPTIONS_PAGE, 'utf8');
  assert.match(page, /<!-- options: submit -->/);
  assert.match(page, /<!-- options: serve -->/);
  assert.match(page, /<!-- options: report -->/);
  assert.equal(renderOptionTables(page), page, 'docs/options.md differs from OPTIONS: run npm run docs');
});

/** camelCase attribute names of the options that declare a default: `concurrency`, `maxOutage`, … */
const withDefaults = OPTIONS.filter((o) => o.defaultValue !== undefined).map((o) => {
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(o.flags)[1];
  return { name: long.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()), value: o.defaultValue };
});

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

test('no default is written as a literal outside the options table', () => {
  const found = [];
  for (const file of sources(join(ROOT, 'src'))) {
    if (file.includes(join('src', 'options'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const { name, value } of withDefaults) {
      // `options.concurrency ?? 8`, `timeoutMs ?? 30_000`, `{ retries: 5 }`, `host ?? '127.0.0.1'`, `DEFAULT_BATCH_SIZE = 1000`
      const upper = name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
      const literal = typeof value === 'string' ? `'${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'(?!\\s*\\|)` : typeof value === 'boolean' ? `${value}\\b` : '[0-9]';
      const patterns = [
        new RegExp(`\\b${name}(?:Ms)?\\s*(?:\\?\\?|=(?!=))\\s*${literal}`),
        // `{ retries: 5 }` as a property (a ternary's `batchSize : 1` is not one)
        new RegExp(`(?:^|[{,])\\s*${name}(?:Ms)?\\s*:\\s*${literal}`, 'm'),
        new RegExp(`\\bDEFAULT_${upper}\\b\\s*=`),
      ];
      for (const pattern of patterns) {
        const match = pattern.exec(text);
        if (match) found.push(`${file.slice(ROOT.length + 1)}: ${match[0]}`);
      }
    }
  }
  assert.deepEqual(found, [], 'apply these defaults with resolveOptions() (or read one with numberDefault()/textDefault()/flagDefault()) from src/options/');
});
