/**
 * Word and character tokenisation.
 *
 * `segment` cuts with jieba (nodejieba, HMM on for unknown words) using the default
 * dictionary plus Copydesk's e-commerce user dictionary `dict/ecommerce.txt`, loaded once
 * per process. Without it jieba splits 雪纺, 显瘦, 百搭, 阔腿裤, a字裙, 小白鞋, 包邮, 偏小 …
 * (see test/text.test.ts). Whitespace tokens are dropped; `<url>`/`<emoji>` stay whole.
 *
 * `chars` gives one token per character, except runs of Latin letters/digits (xl, 2024,
 * 1.5) and the placeholders, which stay whole.
 */
import * as fs from 'fs';
import * as path from 'path';
import { normalize } from './normalize';
import { removeStopwords } from './stopwords';
import { PROJECT_ROOT } from '../util/paths';

/** Resolved from the project root so it is found from dist/ too (tsc does not copy .txt files). */
export const USER_DICT_FILE = path.join(PROJECT_ROOT, 'core', 'text', 'dict', 'ecommerce.txt');

export interface SegmentOptions {
  /** Run `normalize` first (default true). */
  normalize?: boolean;
  /** Remove stopwords (default false: keep them). */
  stopwords?: boolean;
}

type Jieba = typeof import('nodejieba');
let jieba: Jieba | undefined;

/** nodejieba with the user dictionary, loaded on first use. */
function loadJieba(): Jieba {
  if (jieba) return jieba;
  // cppjieba aborts the whole process on a missing dictionary file: check first.
  if (!fs.existsSync(USER_DICT_FILE)) {
    throw new Error(`user dictionary ${USER_DICT_FILE} is missing (build it with: npx tsx core/text/build-dict.ts)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const j = require('nodejieba') as Jieba;
  j.load({ userDict: USER_DICT_FILE });
  jieba = j;
  return j;
}

/** Splits out the placeholder tokens so jieba never sees them. */
const PLACEHOLDER_SPLIT = /(<url>|<emoji>)/;

/** Word tokens of a text (jieba with the e-commerce dictionary). */
export function segment(text: string, opts: SegmentOptions = {}): string[] {
  const t = opts.normalize === false ? text : normalize(text);
  const j = loadJieba();
  const out: string[] = [];
  for (const piece of t.split(PLACEHOLDER_SPLIT)) {
    if (piece === '') continue;
    if (piece === '<url>' || piece === '<emoji>') {
      out.push(piece);
      continue;
    }
    for (const w of j.cut(piece, true)) {
      const word = w.trim();
      if (word !== '') out.push(word);
    }
  }
  return opts.stopwords ? removeStopwords(out) : out;
}

const CHAR_TOKEN = /<url>|<emoji>|[A-Za-z0-9]+(?:[.'][A-Za-z0-9]+)*|\S/gu;

/** Character tokens (Latin words and numbers kept together). */
export function chars(text: string, opts: { normalize?: boolean } = {}): string[] {
  const t = opts.normalize === false ? text : normalize(text);
  return t.match(CHAR_TOKEN) ?? [];
}
