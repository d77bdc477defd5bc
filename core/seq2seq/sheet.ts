/**
 * A reading sheet for reviewers and researchers (`eval generator --sheet out.html`): for a sample of inputs,
 * the attributes, the human copy and the generator's drafts side by side, each fault highlighted (a word
 * used 3+ times, a foreign Latin token, a foreign garment/body part, an ending mid-sentence), with the fault
 * rates of both sides on top. All text is HTML-escaped.
 */
import type { Attribute } from './attrs';
import { copyFaults, CopyFaults, FaultRates, PartLexicon } from './metrics';

export interface SheetRow {
  attrs: Attribute[];
  human: string;
  drafts: Array<{ label: string; text: string }>;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Kind = 'repeat' | 'latin' | 'part' | 'end';

/** The text, escaped, with each fault span wrapped in <mark class="…">. */
export function highlightFaults(text: string, f: CopyFaults): string {
  const cls: Array<Kind | undefined> = new Array(text.length).fill(undefined);
  const mark = (needle: string, kind: Kind) => {
    if (!needle) return;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) for (let j = i; j < i + needle.length; j++) cls[j] ??= kind;
  };
  for (const w of f.latin) mark(w, 'latin');
  for (const p of f.parts) mark(p, 'part');
  for (const w of f.repeat) mark(w, 'repeat');
  if (f.midSentence && text.length) cls[text.length - 1] = 'end';
  let out = '';
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && cls[j] === cls[i]) j++;
    const piece = escapeHtml(text.slice(i, j));
    out += cls[i] ? `<mark class="${cls[i]}">${piece}</mark>` : piece;
    i = j;
  }
  return out;
}

function faultList(f: CopyFaults): string {
  const parts: string[] = [];
  if (f.repeat.length) parts.push(`repeat ×3: ${f.repeat.join(' ')}`);
  if (f.latin.length) parts.push(`Latin: ${f.latin.join(' ')}`);
  if (f.parts.length) parts.push(`foreign part: ${f.parts.join(' ')}`);
  if (f.midSentence) parts.push('ends mid-sentence');
  return parts.length ? `<div class="faults">${escapeHtml(parts.join(' · '))}</div>` : '<div class="clean">no fault</div>';
}

function cell(text: string, attrs: Attribute[], lexicon?: PartLexicon): string {
  const f = copyFaults(text, attrs, lexicon);
  return `<td>${highlightFaults(text, f)}${faultList(f)}</td>`;
}

function ratesTable(rates: Array<{ label: string; r: FaultRates }>): string {
  const keys: Array<keyof FaultRates> = ['repeat_word_3x', 'foreign_latin', 'mid_sentence_end', 'foreign_part', 'any_fault'];
  const head = `<tr><th></th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr>`;
  const rows = rates.map(({ label, r }) => `<tr><th>${escapeHtml(label)}</th>${keys.map((k) => `<td>${(100 * r[k]).toFixed(1)} %</td>`).join('')}</tr>`);
  return `<table class="rates">${head}${rows.join('')}</table>`;
}

/** The whole HTML page. `rates`: fault rates over the full evaluation (model and human), shown on top. */
export function renderSheet(rows: SheetRow[], opts: { title: string; lexicon?: PartLexicon; rates?: Array<{ label: string; r: FaultRates }>; note?: string }): string {
  const draftCols = Math.max(0, ...rows.map((r) => r.drafts.length));
  const head = `<tr><th>#</th><th>attributes</th><th>human copy</th>${rows[0]?.drafts.map((d) => `<th>${escapeHtml(d.label)}</th>`).join('') ?? ''}</tr>`;
  const body = rows.map((r, i) => {
    const attrs = r.attrs.map((a) => `<div>${escapeHtml(a.key)}: <b>${escapeHtml(a.value)}</b></div>`).join('');
    const drafts = r.drafts.map((d) => cell(d.text, r.attrs, opts.lexicon)).join('') + '<td></td>'.repeat(draftCols - r.drafts.length);
    return `<tr><td>${i + 1}</td><td class="attrs">${attrs}</td>${cell(r.human, r.attrs, opts.lexicon)}${drafts}</tr>`;
  });
  return `<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title>
<style>
body{font-family:sans-serif;margin:1.5em;} table{border-collapse:collapse;} td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;}
td{max-width:28em;line-height:1.5;} .attrs{font-size:.85em;white-space:nowrap;} .faults{color:#a00;font-size:.8em;margin-top:.3em;} .clean{color:#070;font-size:.8em;margin-top:.3em;}
mark.repeat{background:#ffd54f;} mark.latin{background:#90caf9;} mark.part{background:#ef9a9a;} mark.end{background:#ce93d8;} .rates td{text-align:right;}
</style></head><body>
<h1>${escapeHtml(opts.title)}</h1>
${opts.note ? `<p>${escapeHtml(opts.note)}</p>` : ''}
${opts.rates ? ratesTable(opts.rates) : ''}
<p>Highlights: <mark class="repeat">word used 3+ times</mark> <mark class="latin">Latin not in the attributes</mark> <mark class="part">part foreign to the category</mark> <mark class="end">ends mid-sentence</mark></p>
<table>${head}${body.join('\n')}</table>
</body></html>
`;
}
