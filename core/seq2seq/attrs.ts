/**
 * Attribute strings in AdvertiseGen form: `类型#裙*材质#雪纺*风格#清新`.
 * Keys may repeat (图案#线条*图案#刺绣): a key maps to a list of values.
 * Also: the key→values table learnt from training data, attribute coverage and
 * contradiction checks used by the reranker and by the metrics.
 */

import { parseAttributes, Attribute } from '../data/attributes';

export type { Attribute };

/** A malformed attribute string (empty, a pair without `#`, an empty key or value). */
export class AttributeError extends Error {
  constructor(readonly input: string, readonly problem: string) {
    super(`bad attribute string "${input.length > 60 ? input.slice(0, 60) + '…' : input}": ${problem}`);
    this.name = 'AttributeError';
  }
}

/** The shared parser (core/data/attributes.ts), its errors wrapped as AttributeError. */
export function parseAttrs(s: string): Attribute[] {
  try {
    return parseAttributes(s);
  } catch (e) {
    throw new AttributeError(s, (e as Error).message);
  }
}

/** Share of the input's attribute values (every pair, 类型 included) that appear verbatim in the text. */
export function attrCoverage(attrs: Attribute[], text: string): number {
  const values = attrs.map((a) => a.value);
  if (values.length === 0) return 1;
  return values.filter((v) => text.includes(v)).length / values.length;
}

/** key → every value seen for that key in training data. */
export class AttributeTable {
  readonly values = new Map<string, Set<string>>();

  static fromAttrStrings(strings: Iterable<string>): AttributeTable {
    const t = new AttributeTable();
    for (const s of strings) for (const a of parseAttrs(s)) t.add(a.key, a.value);
    return t;
  }

  static fromJSON(obj: Record<string, string[]>): AttributeTable {
    const t = new AttributeTable();
    for (const [k, vs] of Object.entries(obj)) for (const v of vs) t.add(k, v);
    return t;
  }

  add(key: string, value: string): void {
    let s = this.values.get(key);
    if (!s) this.values.set(key, (s = new Set()));
    s.add(value);
  }

  toJSON(): Record<string, string[]> {
    const o: Record<string, string[]> = {};
    for (const [k, s] of [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) o[k] = [...s].sort();
    return o;
  }

  /**
   * Values the text mentions for a key the input has, which are not the input's value(s) for that key.
   * A mention counts only when it is not inside a mention of an input value (酒红色 vs 红色) and is
   * not itself one of the input's values under another key. Values of one character are ignored
   * (too ambiguous as substrings).
   */
  contradictions(attrs: Attribute[], text: string): Array<{ key: string; value: string; input: string[] }> {
    const byKey = new Map<string, string[]>();
    for (const a of attrs) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a.value]);
    const allInput = new Set(attrs.map((a) => a.value));
    // Spans of the text covered by input values: mentions inside them are not contradictions.
    const covered = new Uint8Array(text.length);
    for (const v of allInput) {
      for (let i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + 1)) covered.fill(1, i, i + v.length);
    }
    const found: Array<{ key: string; value: string; input: string[] }> = [];
    for (const [key, inputValues] of byKey) {
      if (key === '类型') continue;
      const known = this.values.get(key);
      if (!known) continue;
      for (const v of known) {
        if (v.length < 2 || allInput.has(v) || inputValues.some((iv) => iv.includes(v))) continue;
        for (let i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + 1)) {
          let inside = true;
          for (let j = i; j < i + v.length; j++) if (!covered[j]) { inside = false; break; }
          if (!inside) { found.push({ key, value: v, input: inputValues }); break; }
        }
      }
    }
    return found;
  }
}
