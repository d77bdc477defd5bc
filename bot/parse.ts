/**
 * Reads a copy request from `/copy` text or a mention/DM:
 *   `user:<id> item:<id> tone:<tone> n:<1-5>` in any order, or plain Chinese or
 *   English such as “给 u-381 写 SKU-1042 的文案” / “3 warm drafts for u-381 about SKU-1042”.
 * Linear in the input: the text is capped (MAX_REQUEST_CHARS), split into
 * whitespace tokens once, and every pattern is anchored or token-bounded.
 * Error texts quote what the user typed, cut short; whoever shows them escapes them.
 */
import { TONES, type Tone } from '../core/domain/types';

export interface CopyRequest {
  userId: string;
  itemId?: string;
  tone: Tone | 'auto';
  n: number;
}

export type ParseResult = { ok: true; request: CopyRequest } | { ok: false; error: string };

export const DEFAULT_N = 3;
export const MAX_N = 5;
/** Longest /copy, mention or DM text read (Slack markup included); longer requests are refused with TOO_LONG. */
export const MAX_REQUEST_CHARS = 1000;
/** Longest value quoted back in an error, and most problems listed in one reply. */
export const MAX_QUOTED_CHARS = 40;
export const MAX_PROBLEMS = 5;

export function tooLongText(what: string, length: number, max: number): string {
  return `${what} is ${length.toLocaleString('en-US')} characters long; the limit is ${max.toLocaleString('en-US')}.`;
}

export const USAGE = [
  '*How to ask for copy*',
  '`/copy user:<user id> item:<item id> tone:<warm|excited|reassuring|concise|auto> n:<1-5>` (any order; only `user` is required)',
  'or in plain words: `/copy 给 u-381 写 SKU-1042 的文案` · `/copy 3 warm drafts for u-381 about SKU-1042`',
  'Without an item, I pick the items the user is most likely to want.',
].join('\n');

const TONE_WORDS: Record<string, Tone | 'auto'> = {
  warm: 'warm', 温暖: 'warm', 温馨: 'warm', 暖心: 'warm', 亲切: 'warm',
  excited: 'excited', exciting: 'excited', 兴奋: 'excited', 热情: 'excited', 激动: 'excited', 活力: 'excited', 激情: 'excited',
  reassuring: 'reassuring', 安心: 'reassuring', 放心: 'reassuring', 安抚: 'reassuring', 打消顾虑: 'reassuring',
  concise: 'concise', short: 'concise', 简洁: 'concise', 简短: 'concise', 精简: 'concise',
  auto: 'auto', 自动: 'auto',
};

const KEYS: Record<string, 'user' | 'item' | 'tone' | 'n'> = {
  user: 'user', u: 'user', 用户: 'user', customer: 'user',
  item: 'item', i: 'item', sku: 'item', 商品: 'item', product: 'item',
  tone: 'tone', 语气: 'tone', 风格: 'tone',
  n: 'n', count: 'n', 条数: 'n', 数量: 'n',
};

const CN_DIGITS: Record<string, number> = { 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const COUNT_UNIT = '(?:条|个|篇|份|版|drafts?|versions?|options?|copies|variants?)';
const ID = "[A-Za-z0-9][A-Za-z0-9_.\\-]*";

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/**
 * Strips Slack markup (mentions, links, entities) down to the words a person typed.
 * Entities are decoded to what was typed (`&lt;!channel&gt;` → `<!channel>` as text,
 * never as markup: replies escape every quoted value again).
 */
export function plainText(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(?:\|[^<>]*)?>/g, ' ')
    .replace(/<(?:https?|mailto):[^|<>]*\|([^<>]*)>/g, '$1')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(?:lt|gt|amp);/g, (e) => ENTITIES[e])
    .replace(/[，。！？、；]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A value quoted in an error: cut to MAX_QUOTED_CHARS. */
function quote(v: string): string {
  return v.length > MAX_QUOTED_CHARS ? `${v.slice(0, MAX_QUOTED_CHARS - 1)}…` : v;
}

function toneOf(word: string): Tone | 'auto' | undefined {
  return TONE_WORDS[word.toLowerCase()];
}

function countOf(word: string): number | undefined {
  if (/^\d+$/.test(word)) return Number(word);
  return CN_DIGITS[word];
}

export function parseCopyRequest(input: string): ParseResult {
  if (input.length > MAX_REQUEST_CHARS) return { ok: false, error: tooLongText('This request', input.length, MAX_REQUEST_CHARS) };
  let text = ` ${plainText(input)} `;
  if (!text.trim() || /^\s*(help|帮助|usage|\?)\s*$/i.test(text)) return { ok: false, error: 'Tell me whose copy to write.' };
  const found: { user?: string; item?: string; tone?: Tone | 'auto'; n?: number } = {};
  const problems: string[] = [];

  // 1. key:value pairs, in any order: one pass over the whitespace tokens ("user: x" is joined to "user:x" first).
  const rest1: string[] = [];
  for (const token of text.replace(/ ?([:：=]) ?/g, '$1').split(' ')) {
    const at = token.search(/[:：=]/);
    if (at <= 0 || at === token.length - 1) {
      if (token) rest1.push(token);
      continue;
    }
    const k = token.slice(0, at);
    const v = token.slice(at + 1);
    const key = KEYS[k.toLowerCase()];
    if (!key) {
      problems.push(`I don't know the option "${quote(k)}" (use user:, item:, tone:, n:)`);
    } else if (key === 'tone') {
      const t = toneOf(v);
      if (t) found.tone = t;
      else problems.push(`"${quote(v)}" is not a tone (use ${[...TONES, 'auto'].join(', ')})`);
    } else if (key === 'n') {
      const n = countOf(v);
      if (n === undefined) problems.push(`n must be a number from 1 to ${MAX_N}, not "${quote(v)}"`);
      else found.n = n;
    } else if (found[key] && found[key] !== v) {
      problems.push(`two ${key}s given ("${quote(found[key]!)}" and "${quote(v)}")`);
    } else {
      found[key] = v;
    }
  }
  text = ` ${rest1.join(' ')} `;

  // 2. plain words: a tone word, a count ("3 条", "两条", "3 drafts"), then the ids.
  for (const [word, tone] of Object.entries(TONE_WORDS)) {
    const re = /^[a-z]+$/.test(word) ? new RegExp(`\\b${word}\\b`, 'i') : new RegExp(word);
    if (re.test(text)) {
      if (found.tone === undefined) found.tone = tone;
      text = text.replace(re, ' ');
    }
  }
  text = text.replace(new RegExp(`(?<!\\d)(\\d+|[一两二三四五六七八九十])\\s*${COUNT_UNIT}`, 'gi'), (_w, c: string) => {
    if (found.n === undefined) found.n = countOf(c);
    return ' ';
  });
  const ids: Array<{ id: string; hint?: 'user' | 'item' }> = [];
  const idRe = new RegExp(`(给|为|替|用户|写|商品|(?:for|to|user|about|item|on|of)(?=\\s))?\\s*(?<![A-Za-z0-9_.\\-])(${ID})`, 'gi');
  const STOP = new Set(['write', 'copy', 'draft', 'drafts', 'for', 'to', 'about', 'item', 'user', 'on', 'of', 'the', 'a', 'an', 'please', 'me', 'some', 'tone', 'with', 'and']);
  for (const m of text.matchAll(idRe)) {
    const id = m[2];
    if (STOP.has(id.toLowerCase()) || !/\d/.test(id)) continue;
    const lead = m[1]?.toLowerCase();
    if (/^\d+$/.test(id) && lead === undefined && found.n === undefined && Number(id) <= MAX_N) {
      found.n = Number(id);
      continue;
    }
    const hint = lead === undefined ? undefined : ['写', 'about', 'item', 'on', 'of', '商品'].includes(lead) ? 'item' : 'user';
    ids.push({ id, hint });
  }
  const byShape = (id: string): 'user' | 'item' | undefined =>
    /^(u|user|usr|c|cust)[-_]?\d/i.test(id) ? 'user' : /^(sku|item|i|p|prod)[-_]?\d/i.test(id) ? 'item' : undefined;
  const rest: string[] = [];
  for (const { id, hint } of ids) {
    const kind = byShape(id) ?? hint;
    if (kind && !found[kind]) found[kind] = id;
    else if (kind && found[kind] === id) continue;
    else rest.push(id);
  }
  for (const id of rest) {
    if (!found.user) found.user = id;
    else if (!found.item) found.item = id;
    else problems.push(`I don't know what "${quote(id)}" is (give user:<id> item:<id>)`);
  }

  if (!found.user) problems.push('no user given (add user:<id>)');
  const n = found.n ?? DEFAULT_N;
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) problems.push(`n must be from 1 to ${MAX_N}, not ${n}`);
  if (problems.length) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) shown.push(`and ${problems.length - MAX_PROBLEMS} more problem(s)`);
    return { ok: false, error: `${shown.join('; ')}.` };
  }
  return { ok: true, request: { userId: found.user!, itemId: found.item, tone: found.tone ?? 'auto', n } };
}
