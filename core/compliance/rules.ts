/**
 * The compliance rule files, loaded and validated: the ad-law terms
 * (core/compliance/terms.json, or COPYDESK_COMPLIANCE_TERMS) and the team's brand
 * blacklist (core/compliance/brand-blacklist.json, or COPYDESK_BRAND_BLACKLIST).
 * A bad file is refused with a DataError naming the file and the field.
 */
import * as path from 'path';
import { DataError } from '../data/errors';
import { readUtf8 } from '../data/table';
import { PROJECT_ROOT } from '../util/paths';

export interface TermRule {
  term: string;
  category: string;
  /** Rewrites the term in place ("" deletes it); absent: the sentence is dropped. */
  replacement?: string;
  /** Longer words containing the term that are fine (最近 for 最). */
  allow: string[];
}

export interface ComplianceRules {
  categories: Record<string, string>;
  /** Longest term first, so 最低价 wins over 最. */
  terms: TermRule[];
}

// Data files live beside the sources (also when running from the compiled dist/).
export const DEFAULT_TERMS_FILE = path.join(PROJECT_ROOT, 'core', 'compliance', 'terms.json');
export const DEFAULT_BLACKLIST_FILE = path.join(PROJECT_ROOT, 'core', 'compliance', 'brand-blacklist.json');

function parseJson(file: string): unknown {
  const text = readUtf8(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(file, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(file: string, field: string, v: unknown, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v.trim() === '')) throw new DataError(file, undefined, field, allowEmpty ? 'must be a string' : 'must be a non-empty string');
  return v;
}

function strList(file: string, field: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new DataError(file, undefined, field, 'must be a list of strings');
  return v.map((x, i) => str(file, `${field}[${i}]`, x));
}

/** Reads and validates the ad-law terms file. */
export function loadTermsFile(file: string): ComplianceRules {
  const raw = parseJson(file);
  if (!isObject(raw)) throw new DataError(file, undefined, undefined, 'must be a JSON object with "categories" and "terms"');
  if (!isObject(raw.categories)) throw new DataError(file, undefined, 'categories', 'must be an object {category: description}');
  const categories: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.categories)) categories[k] = str(file, `categories.${k}`, v);
  if (!Array.isArray(raw.terms) || raw.terms.length === 0) throw new DataError(file, undefined, 'terms', 'must be a non-empty list');
  const terms = raw.terms.map((t, i): TermRule => {
    const f = `terms[${i}]`;
    if (!isObject(t)) throw new DataError(file, undefined, f, 'must be an object {term, category, replacement?, allow?}');
    const term = str(file, `${f}.term`, t.term);
    const category = str(file, `${f}.category`, t.category);
    if (!(category in categories)) throw new DataError(file, undefined, `${f}.category`, `"${category}" is not one of the categories (${Object.keys(categories).join(', ')})`);
    const replacement = t.replacement === undefined ? undefined : str(file, `${f}.replacement`, t.replacement, true);
    const allow = strList(file, `${f}.allow`, t.allow);
    for (const [j, a] of allow.entries()) {
      if (!normalizeForMatch(a).includes(normalizeForMatch(term))) throw new DataError(file, undefined, `${f}.allow[${j}]`, `"${a}" does not contain the term "${term}"`);
    }
    return { term, category, replacement, allow };
  });
  return { categories, terms };
}

/** Reads and validates the brand blacklist; its entries become `brand` terms (sentence dropped). */
export function loadBlacklistFile(file: string): TermRule[] {
  const raw = parseJson(file);
  if (!isObject(raw) || !Array.isArray(raw.brands)) throw new DataError(file, undefined, 'brands', 'must be a list of {name, aliases?, reason?}');
  const out: TermRule[] = [];
  raw.brands.forEach((b, i) => {
    const f = `brands[${i}]`;
    if (!isObject(b)) throw new DataError(file, undefined, f, 'must be an object {name, aliases?, reason?}');
    const name = str(file, `${f}.name`, b.name);
    if (b.reason !== undefined) str(file, `${f}.reason`, b.reason, true);
    for (const t of [name, ...strList(file, `${f}.aliases`, b.aliases)]) out.push({ term: t, category: 'brand', allow: [] });
  });
  return out;
}

/** The rules in force: terms + brand blacklist (paths from the environment when set). */
export function loadRules(opts: { termsFile?: string; blacklistFile?: string } = {}): ComplianceRules {
  const termsFile = opts.termsFile ?? process.env.COPYDESK_COMPLIANCE_TERMS ?? DEFAULT_TERMS_FILE;
  const blacklistFile = opts.blacklistFile ?? process.env.COPYDESK_BRAND_BLACKLIST ?? DEFAULT_BLACKLIST_FILE;
  const rules = loadTermsFile(termsFile);
  const brands = loadBlacklistFile(blacklistFile);
  if (!rules.categories.brand) rules.categories.brand = 'brand blacklist';
  const terms = [...rules.terms, ...brands];
  terms.sort((a, b) => normalizeForMatch(b.term).length - normalizeForMatch(a.term).length);
  return { categories: rules.categories, terms };
}

let cached: ComplianceRules | undefined;
/** The default rules, loaded once per process. */
export function defaultRules(): ComplianceRules {
  return (cached ??= loadRules());
}

/** What matching sees: full-width ASCII to half-width, lower case, Chinese digits as Arabic (第一 = 第1 = 第１), no spaces or zero-width characters. */
export function normalizeForMatch(s: string): string {
  let out = '';
  for (const ch of s) {
    const m = matchChar(ch);
    if (m !== '') out += m;
  }
  return out;
}

/** 〇一二…九 (and 壹 貳… are not used in copy): index = the digit they stand for (〇 at 10 → 0). */
const HAN_DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '〇'];

/** One character as matching sees it ('' when it is ignored). */
export function matchChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (/\s/u.test(ch) || c === 0x200b || c === 0x200c || c === 0x200d || c === 0x2060 || c === 0xfeff || c === 0xad) return '';
  // Dots and middle dots (NO.1, NO·1, ＮＯ．１) are ignored like spaces: NO.1 = NO1.
  if (c === 0x2e || c === 0xff0e || c === 0xb7 || c === 0x30fb || c === 0x2027) return '';
  if (c >= 0xff01 && c <= 0xff5e) return String.fromCodePoint(c - 0xfee0).toLowerCase();
  const digit = HAN_DIGITS.indexOf(ch);
  if (digit > 0) return String(digit % 10);
  return ch.toLowerCase();
}
