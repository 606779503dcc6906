/** Text as HTML: every `<`, `>`, `&` and quote escaped (file names and errors come from users' data). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number as people read it: 12,345. */
export function shown(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

/** One cell: text, or a number with the field it shows (`data-field`, for the page's tests and for people's scripts). */
export type Cell = string | number | { readonly value: string | number; readonly field: string } | null;

function cell(value: Cell, tag: 'td' | 'th'): string {
  if (value !== null && typeof value === 'object') return `<${tag} data-field="${escapeHtml(value.field)}" class="num">${escapeHtml(shown(value.value))}</${tag}>`;
  return `<${tag}${typeof value === 'number' ? ' class="num"' : ''}>${escapeHtml(shown(value))}</${tag}>`;
}

/** A table with a caption, a header row and rows. */
export function table(id: string, caption: string, headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const head = `<tr>${headers.map((h) => cell(h, 'th')).join('')}</tr>`;
  const body = rows.length === 0 ? `<tr><td colspan="${headers.length}" class="none">none</td></tr>` : rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n');
  return `<table id="${id}"><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

/** JSON that is safe inside a <script> element: no `</script>`, no line separators that end a JS line. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { --ink: #1d2433; --mute: #5b6478; --line: #dfe3ea; --bg: #f6f7f9; --ok: #2f9e44; --warn: #e8590c; --bad: #c92a2a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 20px 28px 14px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 20px; }
.sub { color: var(--mute); }
.verdict { display: inline-block; margin-top: 8px; padding: 2px 10px; border-radius: 12px; font-weight: 600; background: #e6f4ea; color: var(--ok); }
.verdict.exit-1 { background: #fff4e6; color: var(--warn); }
.verdict.bad { background: #fdecea; color: var(--bad); }
main { padding: 18px 28px 40px; display: grid; gap: 18px; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { margin: 0 0 8px; font-size: 15px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--mute); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.none { color: var(--mute); font-style: italic; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.note { color: var(--mute); font-size: 12px; margin: 6px 0 0; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg, transparent); font-size: 13px; }
footer { padding: 0 28px 24px; color: var(--mute); font-size: 12px; }
`;

/** A whole page: everything inline (styles, uPlot, the data, the script), so it fetches nothing when opened. */
export function page(parts: { title: string; header: string; body: string; data?: unknown; script?: string; uplot?: { js: string; css: string; license: string } }): string {
  const charts = parts.uplot ? `<style>${parts.uplot.css}</style>\n<script>/* ${parts.uplot.license.replace(/\*\//g, '* /')} */\n${parts.uplot.js}</script>` : '';
  const data = parts.data === undefined ? '' : `<script type="application/json" id="run-data">${scriptJson(parts.data)}</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(parts.title)}</title><style>${STYLE}</style>${charts}</head>
<body><header>${parts.header}</header>
<main>${parts.body}</main>
<footer>Made by bulk-submit. Everything this page shows is in this one file: it loads nothing from anywhere.</footer>
${data}${parts.script ? `<script>${parts.script}</script>` : ''}
</body></html>
`;
}
