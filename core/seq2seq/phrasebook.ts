/**
 * Retrieval-composed candidates (issue 15): a phrase book of human sentences from the training copy,
 * each with the attribute values it mentions, and a composer that joins sentences from different
 * training exemplars into one copy for an item. A sentence is usable for an item only when every
 * fact word it names (an attribute value of the training table, or a few material/feature words no
 * attribute carries) is one of the item's values, its source item had the same category, and it names
 * no garment part foreign to the category and no Latin token outside the attributes. Human sentences
 * are fluent and varied; the reranker (generator.ts) decides whether a composed copy beats the model's.
 */
import * as fs from 'fs';
import { Attribute, AttributeTable, parseAttrs } from './attrs';
import type { Pair } from './data';
import { rng, split } from './data';
import { loadAdvertiseGen, sharedPath, SHARED } from '../data/datasets';
import { categoryOf, foreignLatin, foreignPartSet, PartLexicon, SENTENCE_END } from './metrics';

/** Fact words no attribute key carries: a sentence naming one would state something the input does not say. */
export const EXTRA_FACTS: readonly string[] = [
  '真丝', '皮革', '真皮', '毛呢', '羽绒', '灯芯绒', '氨纶', '莫代尔', '可拆卸', '灯笼', '貂', '狐狸毛', '兔毛', '聚酯', '牛仔', '直筒', '修身', '紧身', '弹力',
  // who the item is for: the attributes never say, so a sentence naming it would guess
  '男', '童', '宝宝', '孩子', '宝贝', '妈妈',
];

/** Single-character values that are facts (the others of one character, 潮 衫 h, are too ambiguous). */
const ONE_CHAR_FACTS = new Set(['棉', '裙', '裤']);

/** Sentences shorter or longer than this are not kept (fragments; run-on paragraphs). */
export const UNIT_CHARS = { min: 8, max: 70 };

export interface Unit {
  text: string;
  /** the fact words it names (lower-cased) */
  facts: string[];
  /** 0 opening sentence, 1 middle, 2 closing (of its source copy) */
  pos: 0 | 1 | 2;
  /** source copy id */
  src: number;
  cat: string;
}

type UnitRow = [text: string, pos: number, src: number, cat: string];

/** Sentences of a copy (each ends on its sentence mark; a tail without one is dropped). */
export function sentences(copy: string): string[] {
  const out: string[] = [];
  let cur = '';
  const cs = Array.from(copy);
  for (let i = 0; i < cs.length; i++) {
    cur += cs[i];
    if (SENTENCE_END.includes(cs[i]) && !(i + 1 < cs.length && SENTENCE_END.includes(cs[i + 1]))) {
      out.push(cur.trim());
      cur = '';
    }
  }
  return out.filter(Boolean);
}

export class PhraseBook {
  readonly units: Unit[] = [];
  private readonly facts: string[];
  private readonly byCat = new Map<string, number[]>();

  constructor(table: AttributeTable, readonly source = '', rows: UnitRow[] = []) {
    const f = new Set<string>(EXTRA_FACTS);
    for (const vs of table.values.values()) for (const v of vs) if (v.length >= 2 || ONE_CHAR_FACTS.has(v)) f.add(v.toLowerCase());
    this.facts = [...f].sort((a, b) => b.length - a.length);
    for (const [text, pos, src, cat] of rows) this.add(text, pos as Unit['pos'], src, cat);
  }

  /** Builds a phrase book from training pairs (their copy, BRAND/<UNK> sentences left out). */
  static fromPairs(pairs: Pair[], table: AttributeTable, source = ''): PhraseBook {
    const rows: UnitRow[] = [];
    pairs.forEach((p, src) => {
      const cat = categoryOf(parseAttrs(p.content));
      const ss = sentences(p.summary);
      ss.forEach((s, i) => {
        const n = Array.from(s).length;
        if (/BRAND|<UNK>|unk/i.test(s) || n < UNIT_CHARS.min || n > UNIT_CHARS.max) return;
        rows.push([s, i === 0 ? 0 : i === ss.length - 1 ? 2 : 1, src, cat]);
      });
    });
    return new PhraseBook(table, source, rows);
  }

  /**
   * The phrase book a model ships and evaluation uses: built from training pairs, keeping only sentences
   * the composer can use (not an opening sentence, since a composed copy opens with the model's own; at
   * least one attribute value named; no fact word that no attribute value carries, such as 男 or 真丝).
   */
  static build(pairs: Pair[], table: AttributeTable, source = ''): PhraseBook {
    const all = PhraseBook.fromPairs(pairs, table, source);
    const values = [...table.values.entries()].filter(([k]) => k !== '类型').flatMap(([, vs]) => [...vs].map((v) => v.toLowerCase()));
    const everValue = (f: string) => values.some((v) => v.includes(f)) || [...(table.values.get('类型') ?? [])].includes(f);
    const rows = all.units.filter((u) => u.pos !== 0 && u.facts.some((f) => values.some((v) => v.includes(f))) && u.facts.every(everValue)).map((u): UnitRow => [u.text, u.pos, u.src, u.cat]);
    return new PhraseBook(table, source, rows);
  }

  get size(): number {
    return this.units.length;
  }

  /** The fact words of a text: longest first, a mention inside a longer one not counted again (红色 in 酒红色). */
  factsOf(text: string): string[] {
    const t = text.toLowerCase();
    const covered = new Uint8Array(t.length);
    const found: string[] = [];
    for (const v of this.facts) {
      for (let i = t.indexOf(v); i >= 0; i = t.indexOf(v, i + 1)) {
        let free = false;
        for (let j = i; j < i + v.length; j++) if (!covered[j]) { free = true; break; }
        if (!free) continue;
        covered.fill(1, i, i + v.length);
        if (!found.includes(v)) found.push(v);
      }
    }
    return found;
  }

  private add(text: string, pos: Unit['pos'], src: number, cat: string): void {
    this.units.push({ text, facts: this.factsOf(text), pos, src, cat });
    const l = this.byCat.get(cat) ?? [];
    l.push(this.units.length - 1);
    this.byCat.set(cat, l);
  }

  /**
   * The units usable for an item: same category, every fact word one the item's values contain, no
   * foreign part or Latin token; `skipSrc` leaves out units from these source ids (the evaluated item itself).
   */
  usable(attrs: Attribute[], lexicon?: PartLexicon, skipSrc?: (src: number) => boolean, valueOnly = true): Unit[] {
    const vals = attrs.map((a) => a.value.toLowerCase());
    const own = attrs.filter((a) => a.key !== '类型').map((a) => a.value.toLowerCase());
    const foreign = lexicon ? foreignPartSet(attrs, lexicon) : [];
    return (this.byCat.get(categoryOf(attrs)) ?? [])
      .map((i) => this.units[i])
      .filter((u) => (!skipSrc || !skipSrc(u.src)) && (!valueOnly || u.facts.some((f) => own.some((v) => v.includes(f)))) && u.facts.every((f) => vals.some((v) => v.includes(f))) && !foreign.some((p) => u.text.includes(p)) && !foreignLatin(u.text, attrs).length);
  }
}

export interface ComposeOptions {
  /** composed copies wanted */
  k?: number;
  /** stop adding sentences past this many characters; never above `maxChars` */
  target?: number;
  maxChars?: number;
  seed?: number;
  lexicon?: PartLexicon;
  skipSrc?: (src: number) => boolean;
  /** how often each unit text was used in earlier drafts (a unit used c times is weighted 1/(1+c)); updated by the caller */
  used?: Map<string, number>;
  /** how well a sentence agrees with the model's own candidates (0–1, see `agreement`): weight × (1 + affinityWeight · it) */
  affinity?: (text: string) => number;
  affinityWeight?: number;
  /** an opening sentence to continue (the model's own) instead of a human one */
  lead?: string;
}

/**
 * Up to `k` copies for an item, each an opening sentence and further sentences from other training
 * exemplars, chosen for the attribute values they add (a unit adding none only once the values are
 * exhausted), in the order opening → middle → closing.
 */
export function compose(book: PhraseBook, attrs: Attribute[], o: ComposeOptions = {}): Composed[] {
  const units = book.usable(attrs, o.lexicon, o.skipSrc);
  if (!units.length) return [];
  const rand = rng(o.seed ?? 1);
  const target = o.target ?? 95, max = o.maxChars ?? 135;
  const values = attrs.filter((a) => a.key !== '类型').map((a) => a.value.toLowerCase());
  const gain = (u: Unit, have: Set<string>) => values.filter((v) => !have.has(v) && u.facts.some((f) => v.includes(f))).length;
  const len = (s: string) => Array.from(s).length;
  const affCache = new Map<string, number>();
  const affinityOf = (t: string) => {
    let v = affCache.get(t);
    if (v === undefined) affCache.set(t, (v = o.affinity ? o.affinity(t) : 0));
    return v;
  };
  const out: Composed[] = [];
  const seenText = new Set<string>();
  for (let k = 0; k < (o.k ?? 3) * 3 && out.length < (o.k ?? 3); k++) {
    const have = new Set<string>();
    const picked: Unit[] = [];
    let chars = 0;
    const aff = (u: Unit) => (o.affinity ? 1 + (o.affinityWeight ?? 1) * affinityOf(u.text) : 1);
    const weight = (u: Unit) => ((1 + 2 * gain(u, have)) * aff(u)) / (1 + (o.used?.get(u.text) ?? 0)) * (0.5 + rand());
    const pick = (pool: Unit[]) => pool.reduce<Unit | undefined>((best, u) => (!best || weight(u) > weight(best) ? u : best), undefined);
    const bigrams = new Map<string, number>();
    const fits = (u: Unit) => !picked.some((p) => p.src === u.src || p.text === u.text) && chars + len(u.text) <= max && !overused(bigrams, u.text);
    const first = o.lead ? { text: o.lead, facts: book.factsOf(o.lead), pos: 0 as const, src: -1, cat: '' } : pick(units.filter((u) => u.pos === 0 && fits(u)));
    if (!first) break;
    const take = (u: Unit) => {
      picked.push(u);
      chars += len(u.text);
      for (const b of cjkBigrams(u.text)) bigrams.set(b, (bigrams.get(b) ?? 0) + 1);
      for (const v of values) if (u.facts.some((f) => v.includes(f))) have.add(v);
    };
    take(first);
    while (chars < target) {
      const open = units.filter((u) => u.pos !== 0 && fits(u));
      const adding = open.filter((u) => gain(u, have) > 0);
      const next = pick(adding.length ? adding : open.filter((u) => u.pos === 2 || chars + len(u.text) >= target));
      if (!next) break;
      take(next);
    }
    const order = [picked[0], ...picked.slice(1).sort((a, b) => a.pos - b.pos)];
    const text = order.map((u) => u.text).join('');
    if (!seenText.has(text)) {
      seenText.add(text);
      out.push({ text, units: order.filter((u) => u.src >= 0).map((u) => u.text) });
    }
  }
  return out;
}

/**
 * Agreement of a sentence with a set of texts (the model's candidates for the same item): the mean, over
 * the texts, of the share of the sentence's character n-grams (n = 3) that the text contains. The
 * model's samples stand in for the reference as in consensus selection (selection.ts).
 */
export function agreement(texts: string[], n = 3): (text: string) => number {
  const sets = texts.map((t) => {
    const cs = Array.from(t);
    const s = new Set<string>();
    for (let i = 0; i + n <= cs.length; i++) s.add(cs.slice(i, i + n).join(''));
    return s;
  });
  return (text) => {
    const cs = Array.from(text);
    const grams: string[] = [];
    for (let i = 0; i + n <= cs.length; i++) grams.push(cs.slice(i, i + n).join(''));
    if (!grams.length || !sets.length) return 0;
    let sum = 0;
    for (const s of sets) sum += grams.filter((x) => s.has(x)).length / grams.length;
    return sum / sets.length;
  };
}

export interface Composed {
  text: string;
  /** the sentences it joins, in order */
  units: string[];
}

/** Chinese character bigrams of a text (the repeat rule of the decoder: at most twice per copy). */
function cjkBigrams(text: string): string[] {
  const cs = Array.from(text);
  const out: string[] = [];
  for (let i = 1; i < cs.length; i++) if (CJK.test(cs[i - 1]) && CJK.test(cs[i])) out.push(cs[i - 1] + cs[i]);
  return out;
}

const CJK = /^[\u4e00-\u9fff]$/;

/** Whether adding `text` would use some Chinese bigram a third time. */
function overused(counts: Map<string, number>, text: string): boolean {
  const add = new Map<string, number>();
  for (const b of cjkBigrams(text)) {
    const n = (add.get(b) ?? 0) + 1;
    add.set(b, n);
    if ((counts.get(b) ?? 0) + n > 2) return true;
  }
  return false;
}

/** Counts a chosen composition's sentences as used (see ComposeOptions.used). */
export function markUsed(used: Map<string, number>, c: Composed): void {
  for (const u of c.units) used.set(u, (used.get(u) ?? 0) + 1);
}

/**
 * The phrase book a generator composes from when the caller gives none: built at load time (~0.4 s) from
 * the training part of the shared AdvertiseGen split (seed 42, as the model was trained), read in place;
 * nothing of the dataset is shipped (its README forbids copies or slices in the repository). Without the
 * shared file (a fresh clone) there is none and drafts are the model's alone.
 */
export function defaultPhraseBook(table: AttributeTable): PhraseBook | undefined {
  const file = sharedPath(SHARED.advertiseGen);
  if (!fs.existsSync(file)) return undefined;
  const pairs = split(loadAdvertiseGen(file, { skipBad: true }).rows, 250, 42).train;
  return PhraseBook.build(pairs, table, `${SHARED.advertiseGen} (training part of the seeded split, seed 42: ${pairs.length} copies)`);
}

/**
 * Composed candidates per request (tuned on the 250 validation pairs, see the model card): `k` wholly human
 * (off: their BLEU is low), `led` opening with the model's greedy first sentence and continued with human
 * sentences; `affinityWeight`: how strongly sentences that agree with the model's candidates are preferred.
 */
export const COMPOSE_PLAN = { k: 0, led: 3, target: 105, affinityWeight: 100, logpOffset: 0 };

/** Drafts whose sentence use is remembered (oldest forgotten first), like the phrase memory's window. */
export const COMPOSE_MEMORY = 2000;

/**
 * Composed candidates for a generator: uses the phrase book, remembers which sentences its chosen
 * drafts used (a sentence used c times is picked 1/(1+c) as often), and scores each candidate's
 * likelihood term as the mean of the model candidates' (so coverage, faults, consensus and novelty decide).
 */
export class Composer {
  readonly used = new Map<string, number>();
  private readonly history: string[][] = [];

  constructor(readonly book: PhraseBook, readonly lexicon?: PartLexicon, readonly plan = COMPOSE_PLAN) {}

  candidates(attrs: Attribute[], model: Array<{ text: string; meanLogp: number }>, seed: number): Array<{ text: string; meanLogp: number; source: 'composed'; units: string[] }> {
    const mean = model.length ? model.reduce((a, x) => a + x.meanLogp, 0) / model.length : 0;
    const comp = compose(this.book, attrs, {
      k: this.plan.k, target: this.plan.target, seed, used: this.used, lexicon: this.lexicon,
      ...(this.plan.affinityWeight && model.length ? { affinity: agreement(model.map((x) => x.text)), affinityWeight: this.plan.affinityWeight } : {}),
    });
    const greedy = model.find((x) => (x as { source?: string }).source === 'greedy') ?? model[0];
    const lead = greedy ? sentences(greedy.text)[0] : undefined;
    if (this.plan.led && lead) {
      comp.push(...compose(this.book, attrs, {
        k: this.plan.led, target: this.plan.target, seed: seed + 1, used: this.used, lexicon: this.lexicon, lead,
        ...(this.plan.affinityWeight && model.length ? { affinity: agreement(model.map((x) => x.text)), affinityWeight: this.plan.affinityWeight } : {}),
      }));
    }
    return comp.map((c) => ({ text: c.text, meanLogp: mean + this.plan.logpOffset, source: 'composed' as const, units: c.units }));
  }

  /** Records a chosen composed draft's sentences as used. */
  chosen(c: { units?: string[] }): void {
    if (!c.units) return;
    markUsed(this.used, { text: '', units: c.units });
    this.history.push(c.units);
    while (this.history.length > COMPOSE_MEMORY) {
      for (const u of this.history.shift() ?? []) {
        const n = (this.used.get(u) ?? 0) - 1;
        if (n > 0) this.used.set(u, n);
        else this.used.delete(u);
      }
    }
  }
}
