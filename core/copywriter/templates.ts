/**
 * Message templates: how the generated product copy is wrapped into a message for
 * one user (greeting for who they are — first purchase, returning, away a while —,
 * a line about what they like, the copy, a line answering their doubt, a call to
 * action, the item's offer when it has one). A team edits core/copywriter/templates.json
 * (or points COPYDESK_TEMPLATES at its own file); the file is validated on load and
 * a bad one is refused with a DataError naming the file and the field.
 *
 * One message speaks in one register (the brand's 你 or 您: lines write {you}, the
 * generated copy is converted), with the measure word of the item's category
 * (这条裙子, 这双鞋, 这件上衣) and sentences that end properly.
 */
import * as path from 'path';
import { DataError } from '../data/errors';
import { readUtf8 } from '../data/table';
import { PROJECT_ROOT } from '../util/paths';
import { TONES, Tone, LengthBucket } from '../domain/types';

/** Who the message greets: has not bought yet, bought and seen lately, or away for a while. */
export type VisitorKind = 'first' | 'returning' | 'lapsed';
export const VISITOR_KINDS: VisitorKind[] = ['first', 'returning', 'lapsed'];
export type Register = '你' | '您';

export interface CategoryWords {
  noun: string;
  /** Measure word: 条 (裙, 裤), 件 (上衣), 双 (鞋), 款 … */
  mw: string;
}

export interface MessageTemplates {
  register: Register;
  lapsedAfterDays: number;
  /** Per category, and `default`. */
  categories: Record<string, CategoryWords>;
  greeting: Record<VisitorKind, Record<Tone, string[]>>;
  preference: string[];
  /** Per aspect (尺码, 面料…) and `default`. */
  doubt: Record<string, string[]>;
  cta: Record<Tone, string[]>;
  offer: string[];
  file: string;
}

/** Beside the sources (also when running from the compiled dist/). */
export const DEFAULT_TEMPLATES_FILE = path.join(PROJECT_ROOT, 'core', 'copywriter', 'templates.json');
export const PLACEHOLDERS = ['you', 'title', 'category', 'mw', 'pref', 'offer', 'body'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function variants(file: string, field: string, v: unknown, opts: { allowEmpty?: boolean; placeholders?: readonly string[] } = {}): string[] {
  const allowed = opts.placeholders ?? PLACEHOLDERS.filter((p) => p !== 'body' && p !== 'offer');
  if (!Array.isArray(v) || v.length === 0) throw new DataError(file, undefined, field, 'must be a non-empty list of strings');
  return v.map((s, i) => {
    const f = `${field}[${i}]`;
    if (typeof s !== 'string' || (!opts.allowEmpty && s.trim() === '')) throw new DataError(file, undefined, f, opts.allowEmpty ? 'must be a string' : 'must be a non-empty string');
    for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) throw new DataError(file, undefined, f, `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
      if (!allowed.includes(m[1])) throw new DataError(file, undefined, f, `{${m[1]}} is not used in this list (here: ${allowed.map((p) => `{${p}}`).join(', ')})`);
    }
    if (/[你您]/.test(s)) throw new DataError(file, undefined, f, 'writes 你/您 itself: write {you}, so the brand register (the "register" field) applies');
    if (/\p{Script=Han}[，,、；;：:]$/u.test(s.trim()) && !field.startsWith('greeting')) throw new DataError(file, undefined, f, 'ends on a comma: end the sentence (。！～…)');
    return s;
  });
}

function perTone(file: string, field: string, v: unknown, allowEmpty: boolean): Record<Tone, string[]> {
  if (!isObject(v)) throw new DataError(file, undefined, field, `must be an object with one list per tone (${TONES.join(', ')})`);
  const out = {} as Record<Tone, string[]>;
  for (const t of TONES) {
    if (!(t in v)) throw new DataError(file, undefined, `${field}.${t}`, 'is missing');
    out[t] = variants(file, `${field}.${t}`, v[t], { allowEmpty });
  }
  for (const k of Object.keys(v)) if (!TONES.includes(k as Tone)) throw new DataError(file, undefined, `${field}.${k}`, `is not a tone (${TONES.join(', ')})`);
  return out;
}

function categoryWords(file: string, v: unknown): Record<string, CategoryWords> {
  if (!isObject(v)) throw new DataError(file, undefined, 'categories', 'must be an object {category: {noun, mw}} with a "default" entry');
  const out: Record<string, CategoryWords> = {};
  for (const [k, c] of Object.entries(v)) {
    if (!isObject(c) || typeof c.noun !== 'string' || c.noun.trim() === '') throw new DataError(file, undefined, `categories.${k}.noun`, 'must be a non-empty string');
    if (typeof c.mw !== 'string' || !/^\p{Script=Han}$/u.test(c.mw)) throw new DataError(file, undefined, `categories.${k}.mw`, 'must be one Chinese measure word (条, 件, 双, 款 …)');
    out[k] = { noun: c.noun, mw: c.mw };
  }
  if (!out.default) throw new DataError(file, undefined, 'categories.default', 'is missing (used for categories without their own entry)');
  return out;
}

/** Loads and validates a templates file. */
export function loadTemplates(file: string = process.env.COPYDESK_TEMPLATES ?? DEFAULT_TEMPLATES_FILE): MessageTemplates {
  let raw: unknown;
  try {
    raw = JSON.parse(readUtf8(file));
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(file, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new DataError(file, undefined, undefined, 'must be a JSON object with register, categories, greeting, preference, doubt, cta, offer');
  if (raw.register !== '你' && raw.register !== '您') throw new DataError(file, undefined, 'register', `must be "你" or "您" (got ${JSON.stringify(raw.register)})`);
  const lapsed = raw.lapsed_after_days ?? 30;
  if (typeof lapsed !== 'number' || !Number.isInteger(lapsed) || lapsed < 1) throw new DataError(file, undefined, 'lapsed_after_days', `must be a whole number of days ≥ 1 (got ${JSON.stringify(lapsed)})`);
  if (!isObject(raw.greeting)) throw new DataError(file, undefined, 'greeting', `must be an object with one entry per visitor kind (${VISITOR_KINDS.join(', ')})`);
  const greeting = {} as Record<VisitorKind, Record<Tone, string[]>>;
  for (const k of VISITOR_KINDS) {
    if (!(k in raw.greeting)) throw new DataError(file, undefined, `greeting.${k}`, 'is missing');
    greeting[k] = perTone(file, `greeting.${k}`, raw.greeting[k], true);
  }
  for (const k of Object.keys(raw.greeting)) if (!VISITOR_KINDS.includes(k as VisitorKind)) throw new DataError(file, undefined, `greeting.${k}`, `is not a visitor kind (${VISITOR_KINDS.join(', ')})`);
  if (!isObject(raw.doubt)) throw new DataError(file, undefined, 'doubt', 'must be an object {aspect: [lines]} with a "default" entry');
  const doubt: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw.doubt)) doubt[k] = variants(file, `doubt.${k}`, v);
  if (!doubt.default) throw new DataError(file, undefined, 'doubt.default', 'is missing (used for aspects without their own lines)');
  const offer = variants(file, 'offer', raw.offer, { placeholders: PLACEHOLDERS.filter((p) => p !== 'body') });
  offer.forEach((l, i) => { if (!l.includes('{offer}')) throw new DataError(file, undefined, `offer[${i}]`, 'must name the offer: {offer}'); });
  return {
    register: raw.register,
    lapsedAfterDays: lapsed,
    categories: categoryWords(file, raw.categories),
    greeting,
    preference: variants(file, 'preference', raw.preference),
    doubt,
    cta: perTone(file, 'cta', raw.cta, false),
    offer,
    file,
  };
}

let cached: MessageTemplates | undefined;
export function defaultTemplates(): MessageTemplates {
  return (cached ??= loadTemplates());
}

export interface MessageParts {
  tone: Tone;
  length: LengthBucket;
  body: string;
  title: string;
  category: string;
  /** The user's preferred values that the item has (may be empty). */
  pref: string[];
  /** The aspect of the user's doubt to answer, if any. */
  doubtAspect?: string;
  /** Which phrasing of each list (drafts of one request use different ones). */
  variant: number;
  /** Who is greeted (default: returning). */
  visitor?: VisitorKind;
  /** The item's offers (包邮, 满199减20 …): an offer line only when there is one. */
  offers?: string[];
  /** Picks a slot's line for this draft (the phrasing bandit); default: the variant-th line. */
  choose?: (slot: string, lines: string[], draft: number) => string;
}

function pick<T>(list: T[], i: number): T {
  return list[((i % list.length) + list.length) % list.length];
}

/** The noun and measure word of a category (default entry for unknown ones). */
export function wordsFor(t: MessageTemplates, category: string): CategoryWords {
  return t.categories[category] ?? t.categories.default;
}

function fill(t: MessageTemplates, s: string, p: MessageParts): string {
  const w = wordsFor(t, p.category);
  const values: Record<string, string> = { you: t.register, title: p.title, category: w.noun, mw: w.mw, pref: p.pref.join('、'), offer: (p.offers ?? []).join('、'), body: p.body };
  return s.replace(/\{(you|title|category|mw|pref|offer|body)\}/g, (_m, k: string) => values[k]);
}

/** Ends a sentence: trailing separators become 。 (the copy is never left on a "，"). */
export function endSentence(s: string): string {
  const t = s.trim();
  if (t === '' || /[。！？!?～~…]$/.test(t)) return t;
  return `${t.replace(/[，,、；;：:\s]+$/, '')}。`;
}

/** Generated copy with its punctuation tidied: no separator right before a sentence end (活力风，。 → 活力风。), none doubled. */
export function tidyPunctuation(text: string): string {
  return text.replace(/[，,、；;：:\s]+([。！？!?～~…])/g, '$1').replace(/([，,、])[，,、]+/g, '$1').replace(/([。！？])。+/g, '$1');
}

/** Puts generated copy in the brand's register (你 ↔ 您). */
export function toRegister(text: string, register: Register): string {
  return register === '您' ? text.replace(/你们/g, '大家').replace(/你/g, '您') : text.replace(/您/g, '你');
}

/** Category nouns in running text and the measure word each takes. */
const NOUN_MEASURE: Array<[RegExp, string]> = [
  [/^(连衣裙|半身裙|长裙|短裙|裙子|裙|裤子|裤|牛仔裤|阔腿裤|打底裤|休闲裤)/, '条'],
  [/^(鞋子|鞋|靴子|靴|拖鞋|凉鞋|运动鞋|帆布鞋|高跟鞋|马丁靴|袜子)/, '双'],
  [/^(上衣|外套|衬衫|T恤|t恤|卫衣|毛衣|针织衫|风衣|大衣|夹克|羽绒服|西装|马甲|雪纺衫|背心|棉服)/, '件'],
];

/** Fixes measure words before category nouns (这件裤 → 这条裤, 这件鞋 → 这双鞋), in the copy and the lines. */
export function fixMeasureWords(text: string): string {
  return text.replace(/([这那一每])(件|条|双|款|个|只)(?=(\S{1,4}))/gu, (m, det: string, mw: string, _ahead: string, offset: number) => {
    const rest = text.slice(offset + m.length);
    for (const [re, right] of NOUN_MEASURE) if (re.test(rest)) return mw === '款' ? m : det + right;
    return m;
  });
}

/** Assembles the message: greeting, preference line, body, doubt line, call to action, offer (only when the item has one). */
export function composeMessage(t: MessageTemplates, p: MessageParts): string {
  const parts: string[] = [];
  const visitor = p.visitor ?? 'returning';
  const v = p.variant;
  // Without a chooser each slot steps through its list at its own pace, so phrasings are not tied to one another.
  const line = (slot: string, lines: string[], offset: number) => (p.choose ? p.choose(slot, lines, v) : pick(lines, v + offset));
  const greeting = fill(t, line(`greeting.${visitor}.${p.tone}`, t.greeting[visitor][p.tone], 0), p);
  if (greeting && p.length !== 'short') parts.push(greeting);
  if (p.pref.length > 0) parts.push(endSentence(fill(t, line('preference', t.preference, 1), p)));
  parts.push(endSentence(tidyPunctuation(toRegister(p.body, t.register))));
  if (p.doubtAspect) {
    const slot = t.doubt[p.doubtAspect] ? p.doubtAspect : 'default';
    parts.push(endSentence(fill(t, line(`doubt.${slot}`, t.doubt[slot], 2), p)));
  }
  parts.push(endSentence(fill(t, line(`cta.${p.tone}`, t.cta[p.tone], 3), p)));
  if (p.offers && p.offers.length > 0) parts.push(endSentence(fill(t, line('offer', t.offer, 4), p)));
  return joinParts(parts);
}

/** Joins the parts as one text: a greeting ending on ～ or ， runs on; nothing is doubled at a seam. */
function joinParts(parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (out && /[，,]$/.test(out) && /^[，,。]/.test(part)) out = out.slice(0, -1);
    out += part;
  }
  return fixMeasureWords(out);
}
