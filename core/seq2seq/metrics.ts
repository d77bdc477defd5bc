/**
 * Generation metrics as the issue defines them:
 *  - sentenceBleu: NLTK's `sentence_bleu([ref], hyp, smoothing_function=SmoothingFunction().method3)`
 *    (uniform 4-gram weights, one reference, brevity penalty; zero-match orders get 1/(2^k·|hyp n-grams|)),
 *    used on characters (×100 and averaged by `evaluate`).
 *  - rouge: ROUGE-1/2 (clipped n-gram counts) and ROUGE-L (LCS) F1 on jieba words.
 *  - distinct2, attribute coverage, contradiction rate.
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
  [extra: string]: unknown;
}

/** Scores outputs against references (×100 for BLEU/ROUGE as published AdvertiseGen results). */
export function evaluate(items: Array<{ attrs: Attribute[]; reference: string; output: string }>, table: AttributeTable, secondsPerDraft: number): EvalReport {
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
  };
}
