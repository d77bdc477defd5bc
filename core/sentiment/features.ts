/**
 * Review text → the sparse features the classifier reads: characters, character
 * bigrams and trigrams, jieba words and word bigrams (fastText-style n-grams).
 * Long reviews keep their head and tail (the verdict usually sits at one end).
 */
import { normalizeText, tokenizeWords } from './text';

export interface FeatureSpec {
  /** Character n-gram orders, e.g. [1, 2, 3]. */
  charOrders: number[];
  /** jieba words. */
  words: boolean;
  /** Adjacent word pairs. */
  wordBigrams: boolean;
  /** Characters kept from a long review: the first half and last half of this many. */
  maxChars: number;
}

export const DEFAULT_FEATURES: FeatureSpec = { charOrders: [1, 2, 3], words: true, wordBigrams: true, maxChars: 256 };

const SPACE = /\s+/g;

/** Keeps the head and the tail of a long text. */
export function clip(text: string, maxChars: number): string {
  const cs = Array.from(text);
  if (cs.length <= maxChars) return text;
  const head = Math.ceil(maxChars / 2);
  return cs.slice(0, head).join('') + '…' + cs.slice(cs.length - (maxChars - head)).join('');
}

/** The feature strings of one text (with repeats: the pooling averages over them). */
export function extractFeatures(text: string, spec: FeatureSpec = DEFAULT_FEATURES): string[] {
  const norm = clip(normalizeText(text), spec.maxChars);
  const out: string[] = [];
  const cs = Array.from(norm.replace(SPACE, ' '));
  const L = cs.length;
  for (const n of spec.charOrders) {
    const tag = `${n}:`;
    if (n === 1) {
      for (let i = 0; i < L; i++) if (cs[i] !== ' ') out.push(tag + cs[i]);
    } else if (n === 2) {
      for (let i = 0; i + 2 <= L; i++) out.push(tag + cs[i] + cs[i + 1]);
    } else if (n === 3) {
      for (let i = 0; i + 3 <= L; i++) out.push(tag + cs[i] + cs[i + 1] + cs[i + 2]);
    } else {
      for (let i = 0; i + n <= L; i++) out.push(tag + cs.slice(i, i + n).join(''));
    }
  }
  if (spec.words || spec.wordBigrams) {
    const ws = tokenizeWords(norm).filter((w) => w.trim() !== '');
    if (spec.words) for (const w of ws) out.push(`w:${w}`);
    if (spec.wordBigrams) for (let i = 0; i + 1 < ws.length; i++) out.push(`b:${ws[i]}|${ws[i + 1]}`);
  }
  return out;
}

/** Feature string → id. 0 is padding; features outside the index are dropped. */
export class FeatureIndex {
  private readonly ids = new Map<string, number>();
  constructor(readonly features: string[]) {
    features.forEach((f, i) => this.ids.set(f, i + 1));
  }

  /** The id of one feature string (undefined when it is not in the index). */
  idOf(feature: string): number | undefined {
    return this.ids.get(feature);
  }

  get size(): number {
    return this.features.length + 1;
  }

  static build(docs: Iterable<string[]>, opts: { minFreq: number; maxSize: number }): FeatureIndex {
    const counts = new Map<string, number>();
    for (const d of docs) for (const f of new Set(d)) counts.set(f, (counts.get(f) ?? 0) + 1);
    const kept = [...counts.entries()]
      .filter(([, c]) => c >= opts.minFreq)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, opts.maxSize)
      .map(([f]) => f);
    return new FeatureIndex(kept);
  }

  encode(features: string[], maxLen: number): number[] {
    const out: number[] = [];
    for (const f of features) {
      const id = this.ids.get(f);
      if (id !== undefined) out.push(id);
      if (out.length >= maxLen) break;
    }
    return out;
  }

  toJSON(): string[] {
    return this.features;
  }
}
