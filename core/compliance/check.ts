/**
 * Ad-law compliance: finds forbidden terms in a text and rewrites it so that
 * nothing forbidden is ever offered. A term with a replacement is replaced; any
 * other violation drops the clause (or the whole sentence) that holds it; if the
 * result still violates or is too short to be copy, the text is withheld.
 */
import type { ComplianceFinding } from '../domain/types';
import { ComplianceRules, TermRule, defaultRules, matchChar } from './rules';

export interface Violation {
  term: string;
  category: string;
  /** Span in the original text (UTF-16 indices, end exclusive), spaces inside included. */
  start: number;
  end: number;
  /** What the text says there (may differ from the term in width, case or spacing). */
  found: string;
  rule: TermRule;
}

export interface RewriteResult {
  /** The compliant text ('' when withheld). */
  text: string;
  /** True when `text` is offered: it passes the check. */
  ok: boolean;
  withheld: boolean;
  findings: ComplianceFinding[];
}

/** Shortest copy worth offering after sentences were dropped (visible characters). */
export const MIN_KEPT_CHARS = 8;

interface View {
  s: string;
  /** Original index of each view unit. */
  at: number[];
}

function view(text: string): View {
  let s = '';
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    const m = matchChar(ch);
    for (let k = 0; k < m.length; k++) at.push(i);
    s += m;
    i += ch.length;
  }
  return { s, at };
}

const isLetter = (c: string | undefined) => c !== undefined && /[a-z]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && /[0-9]/.test(c);

/** Quote marks, opening → closing. */
const QUOTES: Record<string, string> = { '「': '」', '『': '』', '“': '”', '"': '"' };
/** Words that say the quote is a customer's (评价「…」, 买家说“…”, 顾虑: 颜色「…」): what a customer wrote is not the shop's claim. */
const REVIEW_CUE = /((评价|评论|买家|顾客|客户|用户|网友|反馈|顾虑|晒单|好评|差评|留言)[^「『“"。！？\n]{0,8}|(?<![明小解演听])说[:：]?|写道[:：]?)$/;

/** Spans (original indices, end exclusive) of text quoted from customer reviews. */
export function quotedReviewSpans(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < text.length; i++) {
    const close = QUOTES[text[i]];
    if (!close) continue;
    const j = text.indexOf(close, i + 1);
    if (j < 0) break;
    if (REVIEW_CUE.test(text.slice(Math.max(0, i - 12), i))) out.push([i + 1, j]);
    i = j;
  }
  return out;
}

/** All violations in `text`, longest term first at each position, non-overlapping. */
const prepared = new WeakMap<ComplianceRules, Array<{ r: TermRule; t: string; allow: string[] }>>();

function prepare(rules: ComplianceRules): Array<{ r: TermRule; t: string; allow: string[] }> {
  let p = prepared.get(rules);
  if (!p) {
    p = rules.terms.map((r) => ({ r, t: normalize(r.term), allow: r.allow.map(normalize) }));
    prepared.set(rules, p);
  }
  return p;
}

export function findViolations(text: string, rules: ComplianceRules = defaultRules()): Violation[] {
  const v = view(text);
  const normTerms = prepare(rules);
  const quoted = quotedReviewSpans(text);
  const out: Violation[] = [];
  let i = 0;
  while (i < v.s.length) {
    let hit: { r: TermRule; len: number } | undefined;
    const inQuote = quoted.some(([a, b]) => v.at[i] >= a && v.at[i] < b);
    // An allowed word (最好不要) also covers the shorter terms inside it (最).
    let allowedEnd = -1;
    for (const { r, t, allow } of inQuote ? [] : normTerms) {
      if (i + t.length <= allowedEnd) continue;
      if (t.length === 0 || !v.s.startsWith(t, i)) continue;
      if (isLetter(t[0]) && isLetter(v.s[i - 1])) continue;
      if (isLetter(t[t.length - 1]) && isLetter(v.s[i + t.length])) continue;
      // 第1 is a rank claim, 第10 is not; 100% is not 1100%.
      if (isDigit(t[t.length - 1]) && isDigit(v.s[i + t.length])) continue;
      if (isDigit(t[0]) && isDigit(v.s[i - 1])) continue;
      const a = allowedSpanEnd(v.s, i, t, allow);
      if (a >= 0) {
        allowedEnd = Math.max(allowedEnd, a);
        continue;
      }
      hit = { r, len: t.length };
      break;
    }
    if (!hit) {
      i++;
      continue;
    }
    const start = v.at[i];
    const lastUnit = i + hit.len - 1;
    const lastStart = v.at[lastUnit];
    const end = lastStart + (text.codePointAt(lastStart)! > 0xffff ? 2 : 1);
    out.push({ term: hit.r.term, category: hit.r.category, start, end, found: text.slice(start, end), rule: hit.r });
    i += hit.len;
  }
  return out;
}

function normalize(s: string): string {
  return view(s).s;
}

/** End (in the view) of an allowed word around the term at `i`, or -1 when none is there. */
function allowedSpanEnd(s: string, i: number, term: string, allow: string[]): number {
  for (const a of allow) {
    for (let k = a.indexOf(term); k >= 0; k = a.indexOf(term, k + 1)) {
      if (i - k >= 0 && s.startsWith(a, i - k)) return i - k + a.length;
    }
  }
  return -1;
}

/** True when the text has no violation. */
export function isCompliant(text: string, rules: ComplianceRules = defaultRules()): boolean {
  return findViolations(text, rules).length === 0;
}

const SENTENCE_END = /[。！？!?；;\n…～~]/;
const CLAUSE_SEP = /[，,、：:]/;

interface Sentence {
  start: number;
  clauses: Array<{ start: number; end: number; sep: string }>;
  terminator: string;
}

function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && !SENTENCE_END.test(text[j])) j++;
    let k = j;
    while (k < text.length && SENTENCE_END.test(text[k])) k++;
    const clauses: Sentence['clauses'] = [];
    let c = i;
    for (let p = i; p <= j; p++) {
      if (p === j || CLAUSE_SEP.test(text[p])) {
        let q = p;
        while (q < j && CLAUSE_SEP.test(text[q])) q++;
        clauses.push({ start: c, end: p, sep: text.slice(p, q) });
        c = q;
        p = q - 1;
        if (q >= j) break;
      }
    }
    out.push({ start: i, clauses, terminator: text.slice(j, k) });
    i = k;
  }
  return out;
}

/** Drops every clause holding a violation; a sentence with no clause left is dropped whole. */
function dropClauses(text: string, violations: Violation[]): { text: string; dropped: Array<{ v: Violation; sentence: boolean }> } {
  const dropped: Array<{ v: Violation; sentence: boolean }> = [];
  let out = '';
  for (const s of splitSentences(text)) {
    const kept = s.clauses.filter((c) => {
      const bad = violations.filter((v) => v.start < c.end && v.end > c.start);
      return bad.length === 0;
    });
    const isDropped = (c: { start: number; end: number }) => !kept.includes(c as never);
    for (const c of s.clauses.filter(isDropped)) {
      for (const v of violations.filter((v) => v.start < c.end && v.end > c.start)) dropped.push({ v, sentence: kept.length === 0 });
    }
    // A violation on a separator or terminator (rare) drops the sentence too.
    const sentEnd = s.clauses.length ? s.clauses[s.clauses.length - 1].end + s.terminator.length : s.start;
    const stray = violations.filter((v) => v.start >= s.start && v.start < sentEnd && !dropped.some((d) => d.v === v));
    if (stray.length) {
      for (const v of stray) dropped.push({ v, sentence: true });
      continue;
    }
    const parts = kept.filter((c) => text.slice(c.start, c.end).trim() !== '');
    if (parts.length === 0) continue;
    parts.forEach((c, idx) => {
      out += text.slice(c.start, c.end);
      if (idx < parts.length - 1) out += c.sep || '，';
    });
    out += s.terminator;
  }
  return { text: out, dropped };
}

function visibleLength(text: string): number {
  return text.replace(/[\s\p{P}\p{S}]/gu, '').length;
}

const SPACE = /[ \t\u3000\u00a0]/;
const HAN_OR_PUNCT = /[\p{Script=Han}\p{P}]/u;
const BOUNDARY = /[，,。！？!?、；;：:\n～~…]$/;

/**
 * Puts `replacement` where [start, end) was, so that the sentence still reads:
 * spaces beside it between Chinese characters go (最好 的面料 → 很好的面料), a deleted
 * term takes its 的 with it (百分百的好评 → 好评), and a replacement the text already
 * says next to it is not said twice (万能百搭 → 百搭, not 百搭百搭).
 */
export function replaceSpan(text: string, start: number, end: number, replacement: string): string {
  let left = text.slice(0, start);
  let right = text.slice(end);
  const trimLeft = () => { while (left.length && SPACE.test(left[left.length - 1]) && (left.length < 2 || HAN_OR_PUNCT.test(left[left.length - 2]))) left = left.slice(0, -1); };
  const trimRight = () => { while (right.length && SPACE.test(right[0]) && (right.length < 2 || HAN_OR_PUNCT.test(right[1]))) right = right.slice(1); };
  trimLeft();
  trimRight();
  let r = replacement;
  if (r === '') {
    if (right.startsWith('的') || right.startsWith('之')) right = right.slice(1);
    else if (left.endsWith('的') && (right === '' || BOUNDARY.test(right[0]))) left = left.slice(0, -1);
  } else {
    if (right.startsWith(r)) r = '';
    else if (left.endsWith(r)) r = '';
    else if (/^(很|超|非常)/.test(r) && /(很|超|非常|特别)$/.test(left)) r = r.replace(/^(很|超|非常)/, '');
  }
  return left + r + right;
}

/** Text left after a deletion: no clause that starts with a separator or 的, no doubled separators. */
function tidySeparators(text: string): string {
  return text
    .replace(/^[，,、；;：:\s]+/, '')
    .replace(/([，,、；;：:])[，,、；;：:\s]+/g, '$1')
    .replace(/[，,、；;：:]+([。！？!?～~…])/g, '$1');
}

/**
 * Rewrites `text` until it passes: replacements first (repeated, since a deletion
 * can join two halves of a term), then dropped clauses/sentences, then withheld.
 * "Too short" only withholds a text that lost clauses: a short text whose terms were
 * all replaced is offered (全网最低价，限时抢购 → 实惠价，限时抢购).
 */
export function rewrite(text: string, rules: ComplianceRules = defaultRules()): RewriteResult {
  const findings: ComplianceFinding[] = [];
  let current = text;
  for (let round = 0; round < 3; round++) {
    const vs = findViolations(current, rules).filter((v) => v.rule.replacement !== undefined);
    if (vs.length === 0) break;
    for (const v of [...vs].reverse()) {
      current = replaceSpan(current, v.start, v.end, v.rule.replacement!);
      findings.unshift({ term: v.term, category: v.category, action: 'replaced', replacement: v.rule.replacement });
    }
    current = tidySeparators(current);
  }
  let dropped = false;
  for (let round = 0; round < 3; round++) {
    const vs = findViolations(current, rules);
    if (vs.length === 0) break;
    const res = dropClauses(current, vs);
    current = res.text;
    dropped = true;
    for (const d of res.dropped) findings.push({ term: d.v.term, category: d.v.category, action: 'dropped' });
  }
  const remaining = findViolations(current, rules);
  const tooShort = dropped && visibleLength(current) < Math.min(MIN_KEPT_CHARS, visibleLength(text));
  if (remaining.length > 0 || tooShort || visibleLength(current) === 0) {
    // One story: every finding of a withheld text says "withheld", never "replaced" first.
    const all: ComplianceFinding[] = findings.map((f) => ({ term: f.term, category: f.category, action: 'withheld' }));
    for (const v of remaining) all.push({ term: v.term, category: v.category, action: 'withheld' });
    if (remaining.length === 0) all.push({ term: '', category: 'too_short', action: 'withheld' });
    return { text: '', ok: false, withheld: true, findings: all };
  }
  return { text: current, ok: true, withheld: false, findings };
}

/** What `copydesk check` and the edit check report: the findings in the text as given, and the rewrite. */
export interface CheckReport {
  ok: boolean;
  findings: Array<{ term: string; found: string; category: string; category_description: string; start: number; end: number; context: string; action: 'replaced' | 'dropped' | 'withheld' }>;
  /** The compliant rewrite (null when the text would be withheld). */
  rewritten: string | null;
  withheld: boolean;
}

export function checkText(text: string, rules: ComplianceRules = defaultRules()): CheckReport {
  const vs = findViolations(text, rules);
  const rw = rewrite(text, rules);
  return {
    ok: vs.length === 0,
    findings: vs.map((v) => ({
      term: v.term,
      found: v.found,
      category: v.category,
      category_description: rules.categories[v.category] ?? v.category,
      start: v.start,
      end: v.end,
      context: text.slice(Math.max(0, v.start - 6), Math.min(text.length, v.end + 6)),
      action: rw.withheld ? 'withheld' : rw.findings.some((f) => f.term === v.term && f.action === 'dropped') ? 'dropped' : 'replaced',
    })),
    rewritten: vs.length === 0 ? text : rw.withheld ? null : rw.text,
    withheld: rw.withheld,
  };
}
