/** HTML tables for notebook output (rendered by Jupyter, JupyterLab and GitHub). */

/** A danfojs DataFrame or anything else with columns and row values. */
export interface FrameLike {
  columns: string[];
  values: unknown[] | unknown[][];
  index?: Array<string | number>;
}

/** Rows (any objects: their keys become the columns) or a frame. */
export type TableInput = readonly object[] | FrameLike;

export interface TableOptions {
  title?: string;
  /** Rows shown (the rest is summarised in a footer). Default 20. */
  maxRows?: number;
  /** Digits after the decimal point for non-integers. Default 4. */
  digits?: number;
  /** Show the frame's index as the first column. */
  showIndex?: boolean;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatCell(v: unknown, digits: number): string {
  if (v === undefined) return '';
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return '<i>NaN</i>';
  if (typeof v === 'number') return escapeHtml(Number.isInteger(v) ? String(v) : v.toFixed(digits));
  if (typeof v === 'object') return escapeHtml(JSON.stringify(v));
  return escapeHtml(String(v));
}

function isFrame(t: TableInput): t is FrameLike {
  return !Array.isArray(t) && Array.isArray((t as FrameLike).columns);
}

/** Columns and rows of either input form. */
export function tableRows(t: TableInput, showIndex = false): { columns: string[]; rows: unknown[][] } {
  if (isFrame(t)) {
    const rows = (t.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
    if (!showIndex || !t.index) return { columns: t.columns, rows };
    return { columns: ['', ...t.columns], rows: rows.map((r, i) => [t.index![i], ...r]) };
  }
  const columns: string[] = [];
  const rows = t as ReadonlyArray<Record<string, unknown>>;
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows: rows.map((r) => columns.map((c) => r[c])) };
}

/** An HTML table, long text wrapped, numbers right-aligned. */
export function tableHtml(t: TableInput, o: TableOptions = {}): string {
  const { columns, rows } = tableRows(t, o.showIndex);
  const max = o.maxRows ?? 20;
  const digits = o.digits ?? 4;
  const shown = rows.slice(0, max);
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = shown
    .map((r) => '<tr>' + r.map((v) => `<td${typeof v === 'number' ? ' align="right"' : ''}>${formatCell(v, digits)}</td>`).join('') + '</tr>')
    .join('\n');
  const caption = o.title ? `<caption><b>${escapeHtml(o.title)}</b></caption>` : '';
  const more = rows.length > shown.length ? `<p><i>${shown.length} of ${rows.length} rows shown</i></p>` : '';
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}`;
}
