/**
 * Generation metrics as the issue defines them:
 *  - sentenceBleu: NLTK's `sentence_bleu([ref], hyp, smoothing_function=SmoothingFunction().method3)`
 *    (uniform 4-gram weights, one reference, brevity penalty; zero-match orders get 1/(2^k·|hyp n-grams|)),
 *    used on characters (×100 and averaged by `evaluate`).
 *  - rouge: ROUGE-1/2 (clipped n-gram counts) and ROUGE-L (LCS) F1 on jieba words.
 *  - corpusBleu: NLTK's `corpus_bleu` (no smoothing, uniform 4-gram weights, one reference each), on characters
 *    as the published AdvertiseGen results use.
 *  - distinct2, attribute coverage, contradiction rate.
 *  - the faults a reviewer rejects a copy for (`copyFaults`): a jieba word (2+ Chinese characters) used 3+ times,
 *    a Latin token (2+ letters) that is not in the attributes, an ending mid-sentence (，、 or a dangling
 *    particle), a garment/body part foreign to the item's category (per the learned `PartLexicon`).
 */
import { Attribute, AttributeTable, attrCoverage } from './attrs';

function ngramCounts<T>(xs: T[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= xs.length; i++) {
    const k = xs.slice(i, i + n).join('\u0001');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** The n-gram counts (orders 1…maxN) and length of a token sequence: what BLEU compares. */
export interface NgramProfile {
  counts: Array<Map<string, number>>;
  length: number;
}

export function ngramProfile(tokens: string[], maxN = 4): NgramProfile {
  const counts: Array<Map<string, number>> = [];
  for (let n = 1; n <= maxN; n++) counts.push(ngramCounts(tokens, n));
  return { counts, length: tokens.length };
}

/** NLTK sentence_bleu with SmoothingFunction().method3 on two profiles (see `sentenceBleu`). */
export function profileBleu(reference: NgramProfile, hypothesis: NgramProfile): number {
  const maxN = hypothesis.counts.length;
  const numerators: number[] = [];
  const denominators: number[] = [];
  for (let n = 0; n < maxN; n++) {
    const ref = reference.counts[n];
    let clipped = 0;
    let total = 0;
    for (const [k, c] of hypothesis.counts[n]) {
      clipped += Math.min(c, ref.get(k) ?? 0);
      total += c;
    }
    numerators.push(clipped);
    denominators.push(Math.max(1, total));
  }
  // NLTK returns 0 when there is no unigram match at all.
  if (numerators[0] === 0) return 0;
  const c = hypothesis.length;
  const r = reference.length;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  let k = 1;
  let logSum = 0;
  for (let i = 0; i < maxN; i++) {
    let p = numerators[i] / denominators[i];
    if (numerators[i] === 0) {
      p = 1 / (2 ** k * denominators[i]);
      k++;
    }
    logSum += (1 / maxN) * Math.log(p);
  }
  return bp * Math.exp(logSum);
}

/** NLTK sentence_bleu with SmoothingFunction().method3 (a single reference, weights 1/4 each). */
export function sentenceBleu(reference: string[], hypothesis: string[], maxN = 4): number {
  return profileBleu(ngramProfile(reference, maxN), ngramProfile(hypothesis, maxN));
}

/** Character-level BLEU-4 of one output against one reference (0–1). */
export function charBleu(reference: string, hypothesis: string): number {
  return sentenceBleu(Array.from(reference), Array.from(hypothesis));
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

export function rougeN(ref: string[], hyp: string[], n: number): number {
  const rc = ngramCounts(ref, n);
  const hc = ngramCounts(hyp, n);
  let overlap = 0;
  for (const [k, c] of hc) overlap += Math.min(c, rc.get(k) ?? 0);
  const hn = Math.max(0, hyp.length - n + 1);
  const rn = Math.max(0, ref.length - n + 1);
  return f1(hn ? overlap / hn : 0, rn ? overlap / rn : 0);
}

export function lcsLength<T>(a: T[], b: T[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    prev = cur;
  }
  return prev[b.length];
}

export function rougeL(ref: string[], hyp: string[]): number {
  if (!ref.length || !hyp.length) return 0;
  const l = lcsLength(ref, hyp);
  return f1(l / hyp.length, l / ref.length);
}

let jieba: { cut(s: string): string[] } | undefined;
/** jieba words (nodejieba, default dictionary), whitespace dropped. */
export function words(text: string): string[] {
  jieba ??= require('nodejieba') as { cut(s: string): string[] };
  return jieba.cut(text).filter((w) => w.trim() !== '');
}

/** The character bigrams of a text in order, repeats included (punctuation too). */
export function charBigrams(text: string): string[] {
  const cs = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
  return out;
}

/** The set of character bigrams of a text (punctuation included). */
export function charBigramSet(text: string): Set<string> {
  return new Set(charBigrams(text));
}

/** Distinct character bigrams / all character bigrams over a set of outputs. */
export function distinct2(texts: string[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const b = charBigrams(t);
    for (const x of b) seen.add(x);
    total += b.length;
  }
  return total ? seen.size / total : 0;
}

/**
 * NLTK `corpus_bleu([[ref] for ref in refs], hyps)` with the default (no) smoothing and weights 1/4 each:
 * clipped n-gram matches and totals summed over the corpus, one brevity penalty from the summed lengths;
 * 0 when no unigram matches, and (as NLTK's method0, which substitutes the smallest float) ~0 when some
 * order has no match at all.
 */
export function corpusBleu(references: string[][], hypotheses: string[][], maxN = 4): number {
  if (references.length !== hypotheses.length) throw new Error(`corpusBleu: ${references.length} references for ${hypotheses.length} hypotheses`);
  const num = new Array<number>(maxN).fill(0);
  const den = new Array<number>(maxN).fill(0);
  let c = 0, r = 0;
  hypotheses.forEach((hyp, i) => {
    const ref = ngramProfile(references[i], maxN);
    const h = ngramProfile(hyp, maxN);
    for (let n = 0; n < maxN; n++) {
      let clipped = 0, total = 0;
      for (const [k, cnt] of h.counts[n]) {
        clipped += Math.min(cnt, ref.counts[n].get(k) ?? 0);
        total += cnt;
      }
      num[n] += clipped;
      den[n] += Math.max(1, total);
    }
    c += hyp.length;
    r += references[i].length;
  });
  if (num[0] === 0) return 0;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  let logSum = 0;
  for (let n = 0; n < maxN; n++) logSum += (1 / maxN) * Math.log(num[n] === 0 ? Number.MIN_VALUE : num[n] / den[n]);
  return bp * Math.exp(logSum);
}

/** Characters a copy may end on: the end of a sentence. */
export const SENTENCE_END = '。！？～~!?…';
/** A copy whose last character is one of these stopped mid-sentence. */
export const CLAUSE_MARKS = '，、；：,;:';
/** Particles and conjunctions a sentence cannot end on (…的 / …和 / …让). */
export const DANGLING_PARTICLES = '的地得和与及或在把被让使是就也都而更很又以对给从向将为跟并且还既';

const CJK_WORD = /^[\u4e00-\u9fff]{2,}$/;

/** jieba words of 2+ Chinese characters that occur 3 or more times in the text (each listed once). */
export function repeatedWords(text: string, times = 3): string[] {
  const counts = new Map<string, number>();
  for (const w of words(text)) if (CJK_WORD.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].filter(([, n]) => n >= times).map(([w]) => w);
}

/** The Latin tokens (runs of letters) of the attribute values, lower-cased. */
export function attrLatinTokens(attrs: Attribute[]): Set<string> {
  const out = new Set<string>();
  for (const a of attrs) for (const m of a.value.matchAll(/[A-Za-z]+/g)) out.add(m[0].toLowerCase());
  return out;
}

/** Latin tokens of 2+ letters in the text that no attribute value contains (case-insensitive). */
export function foreignLatin(text: string, attrs: Attribute[]): string[] {
  const known = attrLatinTokens(attrs);
  return [...new Set([...text.matchAll(/[A-Za-z]{2,}/g)].map((m) => m[0]).filter((t) => !known.has(t.toLowerCase())))];
}

/** Whether the copy stops mid-sentence: its last character is a clause mark (，、…) or a dangling particle. */
export function endsMidSentence(text: string): boolean {
  const cs = Array.from(text.trim());
  if (!cs.length) return true;
  const last = cs[cs.length - 1];
  return CLAUSE_MARKS.includes(last) || DANGLING_PARTICLES.includes(last);
}

/**
 * Which garment and body parts belong to which item category (类型), learnt from training copy
 * (see core/seq2seq/lexicon.ts). `parts` is every part checked; `allowed[category]` those that
 * category's copy uses. A category missing from `allowed` has no part allowed.
 */
export interface PartLexicon {
  parts: string[];
  allowed: Record<string, string[]>;
}

/** The item's category: its 类型 value ('' when none). */
export function categoryOf(attrs: Attribute[]): string {
  return attrs.find((a) => a.key === '类型')?.value ?? '';
}

/** The parts the lexicon does not allow for the item's category (a part named in the attribute values is allowed). */
export function foreignPartSet(attrs: Attribute[], lexicon: PartLexicon): string[] {
  const allowed = new Set(lexicon.allowed[categoryOf(attrs)] ?? []);
  return lexicon.parts.filter((p) => !allowed.has(p) && !attrs.some((a) => a.value.includes(p)));
}

/** Parts the text names that are foreign to the item's category (each listed once). */
export function foreignParts(text: string, attrs: Attribute[], lexicon: PartLexicon): string[] {
  return foreignPartSet(attrs, lexicon).filter((p) => text.includes(p));
}

/** The faults of one copy (empty lists / false: none). */
export interface CopyFaults {
  /** jieba words (2+ Chinese characters) used 3+ times */
  repeat: string[];
  /** Latin tokens (2+ letters) not in the attributes */
  latin: string[];
  /** ends on ，、 or a dangling particle */
  midSentence: boolean;
  /** garment/body parts foreign to the category (none checked without a lexicon) */
  parts: string[];
}

export function copyFaults(text: string, attrs: Attribute[], lexicon?: PartLexicon): CopyFaults {
  return { repeat: repeatedWords(text), latin: foreignLatin(text, attrs), midSentence: endsMidSentence(text), parts: lexicon ? foreignParts(text, attrs, lexicon) : [] };
}

/** How many kinds of fault a copy has (0–4). */
export function faultKinds(f: CopyFaults): number {
  return (f.repeat.length ? 1 : 0) + (f.latin.length ? 1 : 0) + (f.midSentence ? 1 : 0) + (f.parts.length ? 1 : 0);
}

/** Shares (0–1) of copies with each fault, and with any. */
export interface FaultRates {
  repeat_word_3x: number;
  foreign_latin: number;
  mid_sentence_end: number;
  foreign_part: number;
  any_fault: number;
}

export function faultRates(items: Array<{ attrs: Attribute[]; text: string }>, lexicon?: PartLexicon): FaultRates {
  const n = Math.max(1, items.length);
  const k = { repeat_word_3x: 0, foreign_latin: 0, mid_sentence_end: 0, foreign_part: 0, any_fault: 0 };
  for (const it of items) {
    const f = copyFaults(it.text, it.attrs, lexicon);
    if (f.repeat.length) k.repeat_word_3x++;
    if (f.latin.length) k.foreign_latin++;
    if (f.midSentence) k.mid_sentence_end++;
    if (f.parts.length) k.foreign_part++;
    if (faultKinds(f)) k.any_fault++;
  }
  const r = (x: number) => Math.round((x / n) * 10000) / 10000;
  return { repeat_word_3x: r(k.repeat_word_3x), foreign_latin: r(k.foreign_latin), mid_sentence_end: r(k.mid_sentence_end), foreign_part: r(k.foreign_part), any_fault: r(k.any_fault) };
}

export interface EvalReport {
  bleu4: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  distinct2: number;
  attr_coverage: number;
  contradiction_rate: number;
  n: number;
  seconds_per_draft: number;
  /** NLTK corpus_bleu on characters ×100 (the published figure); `bleu4` is the mean sentence BLEU */
  corpus_bleu4?: number;
  faults?: FaultRates;
  /** the same figures for the human references (the copy in the data) */
  human?: { distinct2: number; attr_coverage: number; faults: FaultRates; contradiction_rate: number };
  [extra: string]: unknown;
}

/**
 * Scores outputs against references (×100 for BLEU/ROUGE as published AdvertiseGen results), with the
 * fault rates of the outputs and of the references side by side (`humanText` maps a reference to the copy
 * a reader sees, e.g. without the dataset's BRAND placeholder).
 */
export function evaluate(
  items: Array<{ attrs: Attribute[]; reference: string; output: string }>,
  table: AttributeTable,
  secondsPerDraft: number,
  opts: { lexicon?: PartLexicon; humanText?: (reference: string) => string } = {},
): EvalReport {
  let bleu = 0, r1 = 0, r2 = 0, rl = 0, cov = 0, contra = 0;
  for (const it of items) {
    bleu += charBleu(it.reference, it.output);
    const rw = words(it.reference);
    const hw = words(it.output);
    r1 += rougeN(rw, hw, 1);
    r2 += rougeN(rw, hw, 2);
    rl += rougeL(rw, hw);
    cov += attrCoverage(it.attrs, it.output);
    if (table.contradictions(it.attrs, it.output).length) contra++;
  }
  const n = Math.max(1, items.length);
  const r = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    bleu4: r((100 * bleu) / n),
    rouge1: r((100 * r1) / n),
    rouge2: r((100 * r2) / n),
    rougeL: r((100 * rl) / n),
    distinct2: r(distinct2(items.map((i) => i.output))),
    attr_coverage: r(cov / n),
    contradiction_rate: r(contra / n),
    n: items.length,
    seconds_per_draft: r(secondsPerDraft),
    corpus_bleu4: r(100 * corpusBleu(items.map((i) => Array.from(i.reference)), items.map((i) => Array.from(i.output)))),
    faults: faultRates(items.map((i) => ({ attrs: i.attrs, text: i.output })), opts.lexicon),
    human: humanSide(items, table, opts),
  };
}

function humanSide(items: Array<{ attrs: Attribute[]; reference: string }>, table: AttributeTable, opts: { lexicon?: PartLexicon; humanText?: (reference: string) => string }): EvalReport['human'] {
  const texts = items.map((i) => (opts.humanText ? opts.humanText(i.reference) : i.reference));
  const n = Math.max(1, items.length);
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return {
    distinct2: r(distinct2(texts)),
    attr_coverage: r(items.reduce((a, it, k) => a + attrCoverage(it.attrs, texts[k]), 0) / n),
    faults: faultRates(items.map((it, k) => ({ attrs: it.attrs, text: texts[k] })), opts.lexicon),
    contradiction_rate: r(items.filter((it, k) => table.contradictions(it.attrs, texts[k]).length > 0).length / n),
  };
}
