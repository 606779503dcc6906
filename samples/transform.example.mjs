// A --transform module for samples/legacy-agents.csv, an HR export that is not shaped like the agent record:
//   bulk-submit submit -e "$URL" --kind agent --transform samples/transform.example.mjs --timezone Europe/Paris samples/legacy-agents.csv
// Columns that match a property (External Agent ID, Start Ts, Email Address) are mapped before the
// transform runs; the others (First Name, Last Name, Shift Code, Status) reach it only in row.cells.

/** The export's shift codes, as the API's workShift values. */
const SHIFTS = { D: 'day', E: 'evening', N: 'night' };

/** @param {Record<string, unknown>} record the row as mapped @param {{file: string, line: number, row: number, cells: Record<string, string>}} row */
export default function transform(record, row) {
  const cells = row.cells;
  // Test accounts are left out on purpose: the report says "dropped", the summary counts them.
  if (cells.Status === 'test') return null;
  const code = cells['Shift Code'];
  // Throwing makes this row invalid ("transform: unknown shift code …"); the other rows go on.
  if (code !== '' && !(code in SHIFTS)) throw new Error(`unknown shift code "${code}"`);
  return {
    ...record,
    agentName: `${cells['First Name']} ${cells['Last Name']}`.trim(),
    ...(code === '' ? {} : { workShift: SHIFTS[code] }),
  };
}
