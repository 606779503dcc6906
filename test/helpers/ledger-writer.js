// A process writing to a ledger, for the tests of several processes and of kill -9:
// node ledger-writer.js LEDGER PREFIX TRANSACTIONS SIZE
// records TRANSACTIONS transactions of SIZE ids PREFIX-<t>-<i> (and counts one request each), and after
// each commit prints "committed <t>" (stdout is a pipe: written at once, before the next transaction).
import { Ledger } from '../../dist/ledger/index.js';

const [file, prefix, transactions, size] = process.argv.slice(2);
const ledger = await Ledger.open(file);
for (let t = 0; t < Number(transactions); t++) {
  const rows = Array.from({ length: Number(size) }, (_, i) => ({ eventId: `${prefix}-${t}-${i}`, day: '2025-06-30', source: `${prefix}.csv:${t * Number(size) + i + 1}` }));
  // Every process also records the shared ids "shared-<t>": the first sender is kept.
  rows.push({ eventId: `shared-${t}`, day: '2025-06-30', source: `${prefix}.csv:0` });
  ledger.recordAccepted(rows);
  ledger.countRequests('api.sandbox.asapp.com', '2025-06-30');
  process.stdout.write(`committed ${t}\n`);
}
ledger.close();
