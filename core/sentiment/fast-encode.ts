/**
 * Text → feature ids without building feature strings for the character n-grams: the same ids,
 * in the same order, as `index.encode(extractFeatures(text, spec), maxLen)`, but the character
 * 1/2/3-grams are looked up by their code points in an open-addressing table (no string
 * concatenation, no Map hashing of strings) — the index lookups were half of the bag's
 * inference time. jieba words and word bigrams still go through the string index.
 */
import { clip, FeatureIndex, FeatureSpec } from './features';
import { normalizeText, tokenizeWords } from './text';

const SPACE = /\s+/g;
const NONE = -1;

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c + 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/** An open-addressing hash table from three int32 keys to an id (0 = absent). */
class TripleTable {
  private readonly k1: Int32Array;
  private readonly k2: Int32Array;
  private readonly k3: Int32Array;
  private readonly val: Int32Array;
  private readonly mask: number;

  constructor(entries: Array<[number, number, number, number]>) {
    let cap = 16;
    while (cap < entries.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.k1 = new Int32Array(cap).fill(NONE);
    this.k2 = new Int32Array(cap);
    this.k3 = new Int32Array(cap);
    this.val = new Int32Array(cap);
    for (const [a, b, c, id] of entries) {
      let h = hash(a, b, c) & this.mask;
      while (this.k1[h] !== NONE) h = (h + 1) & this.mask;
      this.k1[h] = a;
      this.k2[h] = b;
      this.k3[h] = c;
      this.val[h] = id;
    }
  }

  get(a: number, b: number, c: number): number {
    let h = hash(a, b, c) & this.mask;
    for (;;) {
      const k = this.k1[h];
      if (k === NONE) return 0;
      if (k === a && this.k2[h] === b && this.k3[h] === c) return this.val[h];
      h = (h + 1) & this.mask;
    }
  }
}

/**
 * A feature index's character n-grams (n ≤ 3) keyed by (n, code points), and its words and word
 * bigrams keyed by a word number: one string lookup per jieba word instead of two string
 * concatenations and lookups.
 */
export class CharGramTable {
  private readonly grams: TripleTable;
  private readonly pairs: TripleTable;
  private readonly wordNo = new Map<string, number>();
  /** Feature id of word number k (0 when only its bigrams are features). */
  private readonly wordId: Int32Array;

  constructor(index: FeatureIndex) {
    const grams: Array<[number, number, number, number]> = [];
    const words: Array<[string, number]> = [];
    const bigrams: Array<[string, string, number]> = [];
    index.features.forEach((f, i) => {
      if (f.startsWith('w:')) return void words.push([f.slice(2), i + 1]);
      if (f.startsWith('b:')) {
        const bar = f.indexOf('|', 2);
        // a word may itself contain '|': then the split is ambiguous and the pair is looked up by string
        if (bar > 0 && f.indexOf('|', bar + 1) < 0) bigrams.push([f.slice(2, bar), f.slice(bar + 1), i + 1]);
        return;
      }
      const m = /^([123]):/.exec(f);
      if (!m) return;
      const cps = Array.from(f.slice(2), (c) => c.codePointAt(0)!);
      const n = Number(m[1]);
      if (cps.length !== n) return;
      grams.push([(n << 24) | cps[0], n > 1 ? cps[1] : NONE, n > 2 ? cps[2] : NONE, i + 1]);
    });
    const no = (w: string) => {
      let k = this.wordNo.get(w);
      if (k === undefined) this.wordNo.set(w, (k = this.wordNo.size));
      return k;
    };
    for (const [w] of words) no(w);
    const pairEntries = bigrams.map(([a, b, id]): [number, number, number, number] => [no(a), no(b), 0, id]);
    this.wordId = new Int32Array(this.wordNo.size);
    for (const [w, id] of words) this.wordId[this.wordNo.get(w)!] = id;
    this.grams = new TripleTable(grams);
    this.pairs = new TripleTable(pairEntries);
  }

  /** The id of the n-gram (n = 1..3; unused code points NONE), or 0 when it is not in the index. */
  get(n: number, c1: number, c2: number, c3: number): number {
    return this.grams.get((n << 24) | c1, c2, c3);
  }

  /** The word's number (NONE when no word or bigram feature has it). */
  wordNumber(w: string): number {
    return this.wordNo.get(w) ?? NONE;
  }

  wordFeature(no: number): number {
    return no === NONE ? 0 : this.wordId[no];
  }

  bigramFeature(a: number, b: number): number {
    return a === NONE || b === NONE ? 0 : this.pairs.get(a, b, 0);
  }
}

/** The same ids as `index.encode(extractFeatures(text, spec), maxLen)`. */
export function encodeText(index: FeatureIndex, table: CharGramTable, text: string, spec: FeatureSpec, maxLen: number): number[] {
  const norm = clip(normalizeText(text), spec.maxChars);
  const cs = Array.from(norm.replace(SPACE, ' '));
  const cp = Int32Array.from(cs, (c) => c.codePointAt(0)!);
  const L = cp.length;
  const out: number[] = [];
  const push = (id: number | undefined) => {
    if (id) out.push(id);
    return out.length >= maxLen;
  };
  for (const n of spec.charOrders) {
    if (n === 1) {
      for (let i = 0; i < L; i++) if (cp[i] !== 32 && push(table.get(1, cp[i], NONE, NONE))) return out;
    } else if (n === 2) {
      for (let i = 0; i + 2 <= L; i++) if (push(table.get(2, cp[i], cp[i + 1], NONE))) return out;
    } else if (n === 3) {
      for (let i = 0; i + 3 <= L; i++) if (push(table.get(3, cp[i], cp[i + 1], cp[i + 2]))) return out;
    } else {
      for (let i = 0; i + n <= L; i++) if (push(index.idOf(`${n}:${cs.slice(i, i + n).join('')}`))) return out;
    }
  }
  if (spec.words || spec.wordBigrams) {
    const ws = tokenizeWords(norm).filter((w) => w.trim() !== '');
    const nos = ws.map((w) => table.wordNumber(w));
    if (spec.words) for (const k of nos) if (push(table.wordFeature(k))) return out;
    if (spec.wordBigrams)
      for (let i = 0; i + 1 < ws.length; i++) {
        const a = ws[i];
        const b = ws[i + 1];
        // words containing '|' make the bigram string ambiguous: those go through the string index
        const id = a.includes('|') || b.includes('|') ? index.idOf(`b:${a}|${b}`) : table.bigramFeature(nos[i], nos[i + 1]);
        if (push(id)) return out;
      }
  }
  return out;
}
