// The layering of src/ (ARCHITECTURE.md) is held by the lint: an import across a line fails `npm test`.
// This checks that the rules exist and bite, on text that breaks them, with the project's own config.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/cli.js';

const lint = async (filePath, code) => {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: `${ROOT}/${filePath}` });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

test('an import across a layer is a lint error naming the rule; one within the lines is not', { timeout: 120_000 }, async () => {
  const crossing = [
    ['src/send/retry.ts', "import type { Settings } from '../job/settings.js';\nexport type X = Settings;\n", /the sender never reads, maps or validates rows/],
    ['src/cli/print.ts', "import { Stats } from '../report/index.js';\nexport const S = Stats;\n", /the CLI goes through the library's face/],
    ['src/prepare/packer.ts', "import { Slots } from '../send/index.js';\nexport const S = Slots;\n", /preparing knows nothing of HTTP/],
    ['src/input/position.ts', "import type { Stats } from '../report/index.js';\nexport type S = Stats;\n", /readers know nothing of HTTP or outcomes/],
    ['src/send/requester.ts', "import { Ledger } from '../ledger/index.js';\nexport const L = Ledger;\n", /and the ledger only as a RequestBudget/],
    ['src/report/summary.ts', "import { Ledger } from '../ledger/index.js';\nexport const L = Ledger;\n", /report writers take outcomes, not clients/],
  ];
  for (const [file, code, message] of crossing) {
    const messages = await lint(file, code);
    assert.ok(messages.some((m) => message.test(m)), `${file}: ${JSON.stringify(messages)}`);
  }
  assert.deepEqual(await lint('src/send/retry.ts', "import { BulkError } from '../errors.js';\nexport const E = BulkError;\n"), [], 'errors.ts is for everyone');
});
