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

/** Character n-grams (n ≤ 3) of a feature index, keyed by (n, code points). */
export class CharGramTable {
  private readonly k1: Int32Array;
  private readonly k2: Int32Array;
  private readonly k3: Int32Array;
  private readonly val: Int32Array;
  private readonly mask: number;

  constructor(index: FeatureIndex) {
    const grams: Array<[number, number, number, number]> = [];
    index.features.forEach((f, i) => {
      const m = /^([123]):/.exec(f);
      if (!m) return;
      const cps = Array.from(f.slice(2), (c) => c.codePointAt(0)!);
      const n = Number(m[1]);
      if (cps.length !== n) return;
      grams.push([(n << 24) | cps[0], n > 1 ? cps[1] : NONE, n > 2 ? cps[2] : NONE, i + 1]);
    });
    let cap = 16;
    while (cap < grams.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.k1 = new Int32Array(cap).fill(NONE);
    this.k2 = new Int32Array(cap);
    this.k3 = new Int32Array(cap);
    this.val = new Int32Array(cap);
    for (const [a, b, c, id] of grams) {
      let h = hash(a, b, c) & this.mask;
      while (this.k1[h] !== NONE) h = (h + 1) & this.mask;
      this.k1[h] = a;
      this.k2[h] = b;
      this.k3[h] = c;
      this.val[h] = id;
    }
  }

  /** The id of the n-gram (n = 1..3; unused code points NONE), or 0 when it is not in the index. */
  get(n: number, c1: number, c2: number, c3: number): number {
    const a = (n << 24) | c1;
    let h = hash(a, c2, c3) & this.mask;
    for (;;) {
      const k = this.k1[h];
      if (k === NONE) return 0;
      if (k === a && this.k2[h] === c2 && this.k3[h] === c3) return this.val[h];
      h = (h + 1) & this.mask;
    }
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
    if (spec.words) for (const w of ws) if (push(index.idOf(`w:${w}`))) return out;
    if (spec.wordBigrams) for (let i = 0; i + 1 < ws.length; i++) if (push(index.idOf(`b:${ws[i]}|${ws[i + 1]}`))) return out;
  }
  return out;
}
