/**
 * Builds the jieba user dictionary `dict/ecommerce.txt` from
 *  - the attribute values of AdvertiseGen (`../shared/data/generator/advertisegen_train.jsonl`,
 *    `key#value*key#value`): every value of 2–10 characters with a Chinese character in it
 *    (阔腿裤, 雪纺, 显瘦, 落肩袖 …), and
 *  - the hand-kept list `dict/handkept.txt` (包邮, 色差, 偏小, 小白鞋 …).
 * Words already in jieba's default dictionary are left out: a user-dictionary entry would
 * replace their (often higher) default weight with the median one and make things worse
 * (色差 would lose to 有色 in 有色差). Only the derived word list is written (no dataset
 * rows). One entry per line, sorted, in nodejieba's user-dictionary format `word freq tag`
 * with freq USER_WORD_FREQ: jieba's default for user words (the median weight, a frequency
 * of a few) loses to splits into frequent characters (高跟 → 高/跟, 中跟 → 中/跟).
 *
 * Run: npx tsx core/text/build-dict.ts [advertisegen.jsonl]
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadAdvertiseGen, SHARED, sharedPath } from '../data/datasets';
import { parseAttributes } from '../data/attributes';
import { readWordList } from './stopwords';
import { USER_DICT_FILE } from './segment';
import { PROJECT_ROOT } from '../util/paths';

/**
 * The frequency given to every user word (jieba's dictionary totals about 60 million). A
 * two-character word beats its split into characters a and b when freq > f(a)·f(b)/total:
 * 31 for 高跟 and 131 for 中跟, so 300 keeps such words whole without outweighing common words.
 */
export const USER_WORD_FREQ = 300;

export const HANDKEPT_FILE = path.join(PROJECT_ROOT, 'core', 'text', 'dict', 'handkept.txt');

/** Attribute values worth a dictionary entry. */
export function dictionaryWorthy(value: string): boolean {
  const n = [...value].length;
  return n >= 2 && n <= 10 && /\p{Script=Han}/u.test(value) && !/[\s#*]/.test(value);
}

/** The words of jieba's default dictionary (`word freq tag` per line). */
export function defaultJiebaWords(): Set<string> {
  const file = (require('nodejieba') as { DEFAULT_DICT: string }).DEFAULT_DICT;
  const words = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const w = line.split(' ')[0];
    if (w) words.add(w);
  }
  return words;
}

export function buildDictionary(advertiseGenFile: string): { words: string[]; derived: number; handkept: number; inDefault: number } {
  const derived = new Set<string>();
  const loaded = loadAdvertiseGen(advertiseGenFile, { skipBad: true });
  for (const row of loaded.rows) {
    let attrs: Array<{ key: string; value: string }>;
    try {
      attrs = parseAttributes(row.content);
    } catch {
      continue; // a malformed attribute string gives no words
    }
    for (const { value } of attrs) if (dictionaryWorthy(value)) derived.add(value);
  }
  const handkept = readWordList(HANDKEPT_FILE);
  const known = defaultJiebaWords();
  const all = [...new Set([...derived, ...handkept])];
  const words = all.filter((w) => !known.has(w)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { words, derived: derived.size, handkept: handkept.length, inDefault: all.length - words.length };
}

if (require.main === module) {
  const src = process.argv[2] ?? sharedPath(SHARED.advertiseGen);
  const { words, derived, handkept, inDefault } = buildDictionary(src);
  fs.writeFileSync(USER_DICT_FILE, words.map((w) => `${w} ${USER_WORD_FREQ} n\n`).join(''));
  process.stderr.write(`wrote ${USER_DICT_FILE}: ${words.length} words (${derived} from attribute values, ${handkept} hand-kept, ${inDefault} left out as already in jieba's dictionary)\n`);
}
