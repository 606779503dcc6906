// Every default is declared once, in the options table (src/options.ts): README's option tables are rendered
// from it, and the library reads defaults from it, never from a literal of its own.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../../dist/options/index.js';
import { renderReadme } from '../../scripts/readme-options.js';
import { ROOT } from '../helpers/cli.js';

test('README\'s option tables are exactly what the options table renders (npm run readme rewrites them)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /<!-- options: submit -->/);
  assert.match(readme, /<!-- options: serve -->/);
  assert.match(readme, /<!-- options: report -->/);
  assert.equal(renderReadme(readme), readme, 'README differs from OPTIONS: run npm run readme');
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
  assert.deepEqual(found, [], 'read these defaults with numberDefault()/textDefault()/flagDefault() from src/options.ts');
});
