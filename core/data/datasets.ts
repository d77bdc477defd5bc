/**
 * Typed loaders for the public datasets in ../shared/data (see its README).
 * They are read in place and never copied into the project.
 */
import * as path from 'path';
import { fields, readJsonl, readTable, stringField, FieldError } from './table';
import { Loaded, LoadOptions, DataError } from './errors';
import { sharedDataDir } from '../util/paths';

/** Paths of the shared files, relative to the shared data folder. */
export const SHARED = {
  onlineShopping: 'sentiment/online_shopping_10_cats.csv',
  waimai: 'sentiment/waimai_10k.csv',
  chnTrain: 'sentiment/chnsenticorp/train.tsv',
  chnDev: 'sentiment/chnsenticorp/dev.tsv',
  advertiseGen: 'generator/advertisegen_train.jsonl',
  taoDescribe: 'generator/kobe_taodescribe_test.jsonl',
  taobao: 'interactions/taobao_userbehavior.csv',
  ml100k: 'interactions/ml-100k',
} as const;

export function sharedPath(rel: string): string {
  return path.join(sharedDataDir(), rel);
}

// ---------- sentiment ----------

export interface LabelledText {
  label: 0 | 1;
  text: string;
  /** Product category where the dataset has one (online_shopping_10_cats). */
  cat?: string;
}

const label01 = (raw: string): 0 | 1 => {
  const v = raw.trim();
  if (v !== '0' && v !== '1') throw new Error(`"${v}" is not a label (0 or 1)`);
  return v === '1' ? 1 : 0;
};

/**
 * Review polarity files: CSV with header columns `label` and `review` (and optional `cat`),
 * or TSV with header `label<TAB>text_a` (ChnSentiCorp).
 */
export function loadLabelledTexts(file: string, opts: LoadOptions = {}): Loaded<LabelledText> {
  const tsv = file.endsWith('.tsv');
  return readTable<LabelledText>(
    file,
    {
      label: { column: 'label', parse: label01 },
      text: { column: tsv ? 'text_a' : 'review', parse: fields.nonEmpty },
      cat: { column: 'cat', parse: fields.text, optional: true },
    },
    { ...opts, delimiter: tsv ? '\t' : ',' },
  );
}

// ---------- generator ----------

export interface AttrCopyPair {
  content: string;
  summary: string;
}

/** AdvertiseGen JSONL: `{"content": "key#value*key#value…", "summary": "…"}`. */
export function loadAdvertiseGen(file: string, opts: LoadOptions = {}): Loaded<AttrCopyPair> {
  return readJsonl(file, (o) => {
    const content = stringField(o, 'content');
    if (!content.includes('#')) throw new FieldError('content', `"${content.slice(0, 30)}" is not a key#value*key#value attribute string`);
    return { content, summary: stringField(o, 'summary') };
  }, opts);
}

export interface TitleDescription {
  category: string;
  aspect: 'a' | 'b' | 'c';
  title: string;
  description: string;
}

/** KOBE TaoDescribe JSONL: category tag `<0>`…`<25>`, aspect `<a>|<b>|<c>`, title, description. */
export function loadTaoDescribe(file: string, opts: LoadOptions = {}): Loaded<TitleDescription> {
  return readJsonl(file, (o) => {
    const aspect = stringField(o, 'aspect').replace(/[<>]/g, '');
    if (!['a', 'b', 'c'].includes(aspect)) throw new FieldError('aspect', `"${aspect}" is not one of <a>, <b>, <c>`);
    return {
      category: stringField(o, 'category'),
      aspect: aspect as 'a' | 'b' | 'c',
      title: stringField(o, 'title'),
      description: stringField(o, 'description'),
    };
  }, opts);
}

// ---------- interactions ----------

export interface Rating {
  user: string;
  item: string;
  rating: number;
  timestamp: number;
}

/** MovieLens `u.data` / `uN.base` / `uN.test`: user, item, rating 1–5, timestamp; tab-separated, no header. */
export function loadMovieLens(file: string, opts: LoadOptions = {}): Loaded<Rating> {
  return readTable<Rating>(
    file,
    {
      user: { column: 'user', parse: fields.nonEmpty },
      item: { column: 'item', parse: fields.nonEmpty },
      rating: {
        column: 'rating',
        parse: (raw) => {
          const v = fields.number(raw);
          if (v < 1 || v > 5) throw new Error(`rating ${v} is outside 1–5`);
          return v;
        },
      },
      timestamp: { column: 'timestamp', parse: fields.unixSeconds },
    },
    { ...opts, delimiter: '\t', columns: ['user', 'item', 'rating', 'timestamp'] },
  );
}

export type TaobaoBehavior = 'pv' | 'cart' | 'fav' | 'buy';

export interface TaobaoEvent {
  user_id: string;
  item_id: string;
  category_id: string;
  behavior: TaobaoBehavior;
  timestamp: number;
}

/** Tianchi UserBehavior sample: `user_id,item_id,category_id,behavior,timestamp`. */
export function loadTaobaoBehavior(file: string, opts: LoadOptions = {}): Loaded<TaobaoEvent> {
  return readTable<TaobaoEvent>(file, {
    user_id: { column: 'user_id', parse: fields.nonEmpty },
    item_id: { column: 'item_id', parse: fields.nonEmpty },
    category_id: { column: 'category_id', parse: fields.nonEmpty },
    behavior: { column: 'behavior', parse: fields.oneOf('pv', 'cart', 'fav', 'buy') },
    timestamp: { column: 'timestamp', parse: fields.unixSeconds },
  }, opts);
}

/** Refuses a path that is not there with a clear message (before any parsing). */
export function requireFile(file: string): string {
  if (!require('fs').existsSync(file)) throw new DataError(file, undefined, undefined, 'file not found');
  return file;
}
