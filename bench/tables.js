// The bench's tables, as markdown: what each case costs, and the targets as ratios measured in one run.
// `before` (optional) is an earlier run's measurement (bench/run.js --before FILE), shown beside `now`.

const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Speed and cost of every case (and, given an earlier run, its figures beside). */
export function costTable(C, m, before) {
  const was = before?.measured ?? {};
  const lines = before
    ? ['| case | rows/s before | rows/s | CPU s per 100,000 rows before | CPU s per 100,000 rows | peak RSS before | peak RSS |', '|---|---:|---:|---:|---:|---:|---:|']
    : ['| case | rows/s | CPU s per 100,000 rows | peak RSS |', '|---|---:|---:|---:|'];
  const speed = (c) => (c ? Math.round(c.rowsPerSecond).toLocaleString('en-US') : '–');
  for (const name of Object.values(C)) {
    const c = m[name];
    if (!c) continue;
    const w = was[name];
    lines.push(
      before
        ? `| ${name} | ${speed(w)} | ${speed(c)} | ${w ? fixed(w.cpuPer100k) : '–'} | ${fixed(c.cpuPer100k)} | ${w ? mb(w.rss) : '–'} | ${mb(c.rss)} |`
        : `| ${name} | ${speed(c)} | ${fixed(c.cpuPer100k)} | ${mb(c.rss)} |`,
    );
  }
  return lines.join('\n');
}

/** The ratios the issue sets targets for, each from figures of this one run. */
export function ratios(C, m, big) {
  const cpu = (name) => m[name]?.cpuPer100k;
  const speed = (name) => m[name]?.rowsPerSecond;
  return {
    defaultCpu: cpu(C.default) / cpu(C.validate),
    defaultCpuBig: big.cpuPer100kBig / big.validateCpuPer100kBig,
    singleCpu: cpu(C.single) / cpu(C.ceiling),
    singleVsCurl: m[C.curl] ? speed(C.single) / speed(C.curl) : NaN,
    rssBig: big.rssBig,
    rssGrowth: big.rssBig / big.rssN,
    rssSingle: m[C.single]?.rss,
    validateVsParse: speed(C.validate) / speed(C.parse),
  };
}

/** The targets, now (and before, when given), met or missed. */
export function targetTable(C, m, big, startup, bigRows, rows, before) {
  const now = ratios(C, m, big);
  const was = before ? ratios(C, before.measured, before.big) : undefined;
  const met = (ok) => (ok ? 'met' : '**missed**');
  const row = (label, key, format, ok) => `| ${label} | ${was ? format(was[key]) : ''} | **${format(now[key])}** | ${met(ok(now[key]))} |`;
  const x = (n) => `${fixed(n)} ×`;
  const lines = [
    '| target | before | now | |',
    '|---|---:|---:|---|',
    row(`default mode CPU ≤ 1.3 × validate's (${rows.toLocaleString('en-US')} rows)`, 'defaultCpu', x, (v) => v <= 1.3),
    row(`… at ${bigRows.toLocaleString('en-US')} rows`, 'defaultCpuBig', x, (v) => v <= 1.3),
    row('single mode CPU ≤ 1.6 × the bare undici loop\'s', 'singleCpu', x, (v) => v <= 1.6),
    row('single mode, whole command ≥ 1.3 × curl --parallel (rows/s)', 'singleVsCurl', x, (v) => v >= 1.3),
    row(`default mode peak RSS ≤ 150 MB at ${bigRows.toLocaleString('en-US')} rows`, 'rssBig', mb, (v) => v <= 150e6),
    row(`… and ≤ 1.1 × its peak at ${rows.toLocaleString('en-US')} rows`, 'rssGrowth', x, (v) => v <= 1.1),
    row('single mode peak RSS ≤ 150 MB', 'rssSingle', mb, (v) => v <= 150e6),
    row('validate ≥ 1.0 × csv-parse alone (rows/s)', 'validateVsParse', x, (v) => v >= 1.0),
    ...startup.cases.map((c) => `| start-up: ${c.name} ≤ ${c.target} × \`node -e 0\` | | **${fixed(c.ratio)} ×** (${Math.round(c.ms)} ms) | ${met(c.ratio <= c.target)} |`),
  ];
  return lines.join('\n');
}
