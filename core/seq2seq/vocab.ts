/**
 * The generator's character vocabulary: specials <pad>=0 <unk>=1 <bos>=2 <eos>=3,
 * control tokens (tone, length, aspect, <pref> markers, field separators), then characters by frequency.
 */
import type { Controls } from './controls';
import { TONES, LENGTHS } from '../domain/types';
import { ASPECTS } from '../domain/ports';
import type { Attribute } from './attrs';

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
export const SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>'];
export const CONTROL_TOKENS = [
  ...TONES.map((t) => `<tone:${t}>`),
  ...LENGTHS.map((l) => `<len:${l}>`),
  ...ASPECTS.map((a) => `<aspect:${a}>`),
  '<pref>', '</pref>', '<sep>', '<kv>',
];

/**
 * Marks the start of an exemplar (a retrieved human copy of a similar item) in the source of a
 * retrieval-augmented model. It is appended to an existing vocabulary (see `withExemplarToken`),
 * after the characters, so a model trained without exemplars keeps its token ids.
 */
export const EXEMPLAR = '<ex>';

/** Splits text into characters; the literal `<UNK>` some copy contains is one unknown token. */
export function chars(text: string): string[] {
  const out: string[] = [];
  text.split('<UNK>').forEach((piece, i) => {
    if (i > 0) out.push('<unk>');
    out.push(...Array.from(piece));
  });
  return out;
}

export class CharVocab {
  readonly index = new Map<string, number>();
  constructor(readonly tokens: string[]) {
    tokens.forEach((t, i) => this.index.set(t, i));
    for (let i = 0; i < SPECIALS.length; i++) if (tokens[i] !== SPECIALS[i]) throw new Error(`vocabulary must start with ${SPECIALS.join(' ')}`);
  }

  static build(texts: Iterable<string>, minCount = 3): CharVocab {
    const counts = new Map<string, number>();
    for (const t of texts) for (const c of chars(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const kept = [...counts.entries()].filter(([c, n]) => n >= minCount && !SPECIALS.includes(c) && !CONTROL_TOKENS.includes(c));
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return new CharVocab([...SPECIALS, ...CONTROL_TOKENS, ...kept.map(([c]) => c)]);
  }

  get size(): number {
    return this.tokens.length;
  }

  id(tok: string): number {
    return this.index.get(tok) ?? UNK;
  }

  encodeText(text: string): number[] {
    return chars(text).map((c) => this.id(c));
  }

  decode(ids: number[]): string {
    let s = '';
    for (const i of ids) {
      if (i === EOS) break;
      if (i <= EOS) continue;
      const t = this.tokens[i];
      if (t.startsWith('<') && t.length > 1 && t.endsWith('>')) continue;
      s += t;
    }
    return s;
  }

  /** This vocabulary with the exemplar marker appended (itself when it has one). */
  withExemplarToken(): CharVocab {
    return this.index.has(EXEMPLAR) ? this : new CharVocab([...this.tokens, EXEMPLAR]);
  }

  /** Tokens that are never generated: the specials except <eos>, control tokens and the exemplar marker. */
  nonTextIds(): number[] {
    return this.tokens.flatMap((t, i) => (i !== EOS && t.length > 1 && t.startsWith('<') && t.endsWith('>') ? [i] : []));
  }

  /**
   * Source sequence: control tokens, then the attributes (`key <kv> value <sep> …`), preferred values
   * wrapped in <pref>…</pref>; with an exemplar, `<ex>` and its first `exemplarChars` characters.
   */
  encodeSource(attrs: Attribute[], c: Controls, exemplar?: { text: string; chars: number }): number[] {
    const ids = [this.id(`<tone:${c.tone}>`), this.id(`<len:${c.length}>`), this.id(`<aspect:${c.aspect}>`)];
    const prefer = new Set(c.prefer);
    attrs.forEach((a, i) => {
      if (i > 0) ids.push(this.id('<sep>'));
      ids.push(...this.encodeText(a.key), this.id('<kv>'));
      if (prefer.has(a.value)) ids.push(this.id('<pref>'), ...this.encodeText(a.value), this.id('</pref>'));
      else ids.push(...this.encodeText(a.value));
    });
    if (exemplar) {
      const ex = this.index.get(EXEMPLAR);
      if (ex === undefined) throw new Error('this vocabulary has no exemplar marker: the model was trained without exemplars');
      ids.push(ex, ...this.encodeText(exemplar.text).slice(0, exemplar.chars));
    }
    return ids;
  }
}
