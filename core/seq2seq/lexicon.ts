/**
 * The copy lexicon the decoder and the fault metrics use, learnt from training copy (AdvertiseGen) and
 * shipped with the model (`models/generator/copy_lexicon.json`, so a fresh clone needs no dataset):
 *  - parts: which garment and body parts (袖, 领口, 裤腿, 裙摆, 颈部…) the copy of each item category (类型)
 *    names. A part is allowed for a category when its share of that category's copies is at least
 *    PART_SHARE_RATIO of its share in the category that names it most (sleeves: 37 % of 上衣 copies,
 *    5 % of 裤 copies → foreign to 裤). Categories the data has no copy for take a hand-kept entry
 *    (UNSEEN_CATEGORY_PARTS: 外套 as 上衣; 鞋 and 包 only the body areas they touch).
 *  - doubles: characters written twice in a row inside one jieba word of human copy (飘飘, 满满, 美美哒)
 *    at least DOUBLE_MIN_COUNT times; any other doubled character (裤裤, 青青) is a mangled word.
 *  - follow: for each Chinese character, the characters that follow it in human copy (share ≥ FOLLOW_MIN_SHARE
 *    of its Chinese followers, characters seen ≥ FOLLOW_MIN_COUNT times). The decoder uses it to look one step
 *    ahead: a character whose usual continuation is blocked (设 when 设计 was used twice) is avoided rather than
 *    written and continued wrongly (设式).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAttrs } from './attrs';
import type { Pair } from './data';
import { categoryOf, PartLexicon, words } from './metrics';

/** The parts checked (hand-kept list of garment parts and the body areas copy praises). */
export const PARTS: readonly string[] = [
  '袖', '袖口', '领口', '衣领', '领子', '领部', '裤腿', '裤脚', '裤管', '裤腰', '裤裆', '裆', '裙摆', '裙身', '下摆', '衣摆', '衣身', '衣袖', '衣襟', '前襟', '门襟',
  '腰头', '肩部', '肩线', '连帽', '帽子', '颈部', '脖颈', '锁骨', '手臂', '胳膊', '腿部', '小腿', '大腿', '脚踝', '臀部', '后背',
];

export const PART_SHARE_RATIO = 0.2;
export const DOUBLE_MIN_COUNT = 3;
export const FOLLOW_MIN_SHARE = 0.05;
export const FOLLOW_MIN_COUNT = 20;

/** Categories AdvertiseGen has no copy for: another category's parts, or the parts listed. */
export const UNSEEN_CATEGORY_PARTS: Record<string, { as?: string; parts?: string[] }> = {
  外套: { as: '上衣' },
  鞋: { parts: ['腿部', '小腿', '大腿', '脚踝'] },
  包: { parts: ['肩部', '手臂'] },
};

export interface CopyLexicon extends PartLexicon {
  /** characters that may be written twice in a row */
  doubles: string[];
  /** character → following character → share of its Chinese followers in human copy (see the file comment) */
  follow?: Record<string, Record<string, number>>;
  /** where it was learnt from (for the model card) */
  source?: string;
}

export function learnLexicon(pairs: Pair[], source?: string): CopyLexicon {
  const total = new Map<string, number>();
  const seen = new Map<string, Map<string, number>>();
  const doubles = new Map<string, number>();
  const bigrams = new Map<string, Map<string, number>>();
  for (const p of pairs) {
    const cs = Array.from(p.summary);
    for (let i = 1; i < cs.length; i++) {
      if (!CJK.test(cs[i - 1]) || !CJK.test(cs[i])) continue;
      const m = bigrams.get(cs[i - 1]) ?? new Map<string, number>();
      bigrams.set(cs[i - 1], m);
      m.set(cs[i], (m.get(cs[i]) ?? 0) + 1);
    }
    const cat = categoryOf(parseAttrs(p.content));
    total.set(cat, (total.get(cat) ?? 0) + 1);
    const m = seen.get(cat) ?? new Map<string, number>();
    seen.set(cat, m);
    for (const part of PARTS) if (p.summary.includes(part)) m.set(part, (m.get(part) ?? 0) + 1);
    // inside one jieba word (飘飘, 美美哒, 简简单单), not across two (阔腿裤|裤脚)
    for (const w of words(p.summary)) {
      const cs = Array.from(w);
      for (let i = 1; i < cs.length; i++) if (cs[i] === cs[i - 1] && CJK.test(cs[i]) && cs[i + 1] !== cs[i]) doubles.set(cs[i], (doubles.get(cs[i]) ?? 0) + 1);
    }
  }
  const share = (cat: string, part: string) => (seen.get(cat)?.get(part) ?? 0) / Math.max(1, total.get(cat) ?? 0);
  const cats = [...total.keys()].filter((c) => c !== '').sort();
  const allowed: Record<string, string[]> = {};
  for (const cat of cats) {
    allowed[cat] = PARTS.filter((part) => {
      const top = Math.max(...cats.map((c) => share(c, part)));
      return top > 0 && share(cat, part) >= PART_SHARE_RATIO * top;
    });
  }
  for (const [cat, rule] of Object.entries(UNSEEN_CATEGORY_PARTS)) {
    if (allowed[cat]) continue;
    allowed[cat] = rule.as ? [...(allowed[rule.as] ?? [])] : [...(rule.parts ?? [])];
  }
  const follow: Record<string, Record<string, number>> = {};
  for (const [a, m] of [...bigrams].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const n = [...m.values()].reduce((x, y) => x + y, 0);
    if (n < FOLLOW_MIN_COUNT) continue;
    const kept = [...m].filter(([, c]) => c / n >= FOLLOW_MIN_SHARE).sort((x, y) => y[1] - x[1]);
    if (kept.length) follow[a] = Object.fromEntries(kept.map(([b, c]) => [b, Math.round((c / n) * 1000) / 1000]));
  }
  return { parts: [...PARTS], allowed, follow, doubles: [...doubles].filter(([, n]) => n >= DOUBLE_MIN_COUNT).map(([c]) => c).sort(), ...(source ? { source } : {}) };
}

const CJK = /^[\u4e00-\u9fff]$/;

export const LEXICON_FILE = 'copy_lexicon.json';

/** A lexicon file of a model folder, checked; undefined when the folder has none. */
export function loadLexicon(dir: string): CopyLexicon | undefined {
  const file = path.join(dir, LEXICON_FILE);
  if (!fs.existsSync(file)) return undefined;
  const o = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CopyLexicon>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === 'string');
  if (!strings(o.parts)) throw new Error(`${file}: field "parts" must be a list of strings`);
  if (!strings(o.doubles)) throw new Error(`${file}: field "doubles" must be a list of strings`);
  if (typeof o.allowed !== 'object' || o.allowed === null || !Object.values(o.allowed).every(strings)) throw new Error(`${file}: field "allowed" must map each category to a list of strings`);
  return o as CopyLexicon;
}

export function saveLexicon(dir: string, lex: CopyLexicon): void {
  fs.writeFileSync(path.join(dir, LEXICON_FILE), JSON.stringify(lex, null, 1) + '\n');
}
