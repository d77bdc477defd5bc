/**
 * Decoding constraints that keep a reviewer's faults out of a copy while it is written (each step zeroes
 * the probability of the tokens that would introduce one; see `CopyConstraints.apply`):
 *  - repetition: a Chinese character bigram may occur at most twice (so no word of 2+ characters can be
 *    used a third time); no character three times in a row; a character twice in a row only when human copy
 *    doubles it inside a word (飘飘, 美美; not 裤裤 or 青青, see lexicon.ts); no attribute value restarted
 *    after two of its characters (七分七…);
 *  - Latin letters only while copying a Latin token of the attribute values (v领, polo), and such a token
 *    is finished before anything else follows (one of 4+ letters is written once: 4-grams do not repeat);
 *  - no garment or body part foreign to the item's category (the learnt part lexicon);
 *  - the copy ends only after a sentence end (。！？～…); past the length target the next sentence end
 *    finishes it, and a row still unfinished when decoding stops is cut back to its last full sentence.
 */
import type { Attribute } from './attrs';
import type { CharVocab } from './vocab';
import { EOS } from './vocab';
import { attrLatinTokens, foreignPartSet, SENTENCE_END } from './metrics';
import type { CopyLexicon } from './lexicon';

/** Tokens a row may run past its length target to finish its sentence. */
export const END_GRACE = 40;
/** Past the length target, sentence-end tokens are weighted by this. */
export const END_BOOST = 4;

const CJK = /^[\u4e00-\u9fff]$/;
const LATIN = /^[A-Za-z]$/;

interface TokenClasses {
  cjk: Uint8Array;
  latin: Uint8Array;
  end: Uint8Array;
  latinIds: number[];
  endIds: number[];
  /** attribute-syntax characters never written in copy */
  syntax: number[];
}

const classCache = new WeakMap<CharVocab, TokenClasses>();

function classesOf(vocab: CharVocab): TokenClasses {
  let c = classCache.get(vocab);
  if (c) return c;
  const V = vocab.size;
  c = { cjk: new Uint8Array(V), latin: new Uint8Array(V), end: new Uint8Array(V), latinIds: [], endIds: [], syntax: [] };
  vocab.tokens.forEach((t, i) => {
    if (CJK.test(t)) c!.cjk[i] = 1;
    if (LATIN.test(t)) { c!.latin[i] = 1; c!.latinIds.push(i); }
    if (t.length === 1 && SENTENCE_END.includes(t)) { c!.end[i] = 1; c!.endIds.push(i); }
    if (t === '#' || t === '*') c!.syntax.push(i);
  });
  classCache.set(vocab, c);
  return c;
}

/** Per decoded row: the Chinese bigrams written so far (first → second → count), updated as the row grows. */
interface RowState {
  seen: number;
  follow: Map<number, Map<number, number>>;
  /** character → share of its usual followers (lexicon.follow) that are now blocked after it */
  exhausted: Map<number, number>;
}

/** Which rules apply (all by default; switched off one at a time to measure what each costs). */
export interface ConstraintRules {
  repeat: boolean;
  lookahead: boolean;
  doubles: boolean;
  latin: boolean;
  parts: boolean;
  ending: boolean;
}

export const ALL_RULES: ConstraintRules = { repeat: true, lookahead: true, doubles: true, latin: true, parts: true, ending: true };

export class CopyConstraints {
  private readonly cls: TokenClasses;
  private readonly doubles: Set<number>;
  private readonly latinTokens: string[];
  private readonly values: string[];
  /** foreign parts as token ids: single tokens banned outright, longer ones banned at their last token */
  private readonly parts: number[][];
  private readonly rows = new WeakMap<number[], RowState>();
  /** token → (follower token → share) from lexicon.follow */
  private readonly follow = new Map<number, Map<number, number>>();
  /** token → share of its usual followers that are always blocked after it (foreign parts, undoubled characters) */
  private readonly staticBlocked = new Map<number, number>();

  private readonly on: ConstraintRules;

  constructor(readonly vocab: CharVocab, readonly attrs: Attribute[], lexicon?: CopyLexicon, rules: Partial<ConstraintRules> = {}) {
    this.on = { ...ALL_RULES, ...rules };
    this.cls = classesOf(vocab);
    this.values = attrs.map((a) => a.value);
    const doubles = new Set(lexicon?.doubles ?? []);
    for (const v of this.values) {
      const cs = Array.from(v);
      for (let i = 1; i < cs.length; i++) if (cs[i] === cs[i - 1]) doubles.add(cs[i]);
    }
    this.doubles = new Set([...doubles].flatMap((ch) => (vocab.index.has(ch) ? [vocab.index.get(ch)!] : [])));
    this.latinTokens = [...attrLatinTokens(attrs)];
    this.parts = lexicon ? foreignPartSet(attrs, lexicon).map((p) => Array.from(p).map((ch) => vocab.index.get(ch) ?? -1)).filter((ids) => ids.every((i) => i >= 0)) : [];
    for (const [a, m] of Object.entries(lexicon?.follow ?? {})) {
      const ia = vocab.index.get(a);
      if (ia === undefined) continue;
      const f = new Map<number, number>();
      for (const [b, share] of Object.entries(m)) {
        const ib = vocab.index.get(b);
        if (ib !== undefined) f.set(ib, share);
      }
      this.follow.set(ia, f);
    }
    const block = (a: number, b: number) => {
      const share = this.follow.get(a)?.get(b);
      if (share) this.staticBlocked.set(a, (this.staticBlocked.get(a) ?? 0) + share);
    };
    if (this.on.parts) for (const p of this.parts) if (p.length === 2) block(p[0], p[1]);
    if (this.on.doubles) for (const a of this.follow.keys()) if (!this.doubles.has(a)) block(a, a);
    if (!this.on.lookahead) this.follow.clear(), this.staticBlocked.clear();
  }

  private state(ids: number[]): RowState {
    let s = this.rows.get(ids);
    if (!s || s.seen > ids.length) {
      s = { seen: 0, follow: new Map(), exhausted: new Map() };
      this.rows.set(ids, s);
    }
    for (let i = Math.max(1, s.seen); i < ids.length; i++) {
      const a = ids[i - 1], b = ids[i];
      if (!this.cls.cjk[a] || !this.cls.cjk[b]) continue;
      const f = s.follow.get(a) ?? new Map<number, number>();
      s.follow.set(a, f);
      const n = (f.get(b) ?? 0) + 1;
      f.set(b, n);
      const share = n === 2 ? this.follow.get(a)?.get(b) : undefined;
      if (share) s.exhausted.set(a, (s.exhausted.get(a) ?? 0) + share);
    }
    s.seen = ids.length;
    return s;
  }

  /** Zeroes the probability of every token that would introduce a fault after `ids` (see the file comment). */
  apply(row: Float32Array, ids: number[], maxLen: number): void {
    const { cls } = this;
    const L = ids.length;
    const last = L ? ids[L - 1] : -1;
    for (const v of cls.syntax) row[v] = 0;
    const on = this.on;
    // ending
    if (on.ending) {
      if (L === 0 || !cls.end[last]) row[EOS] = 0;
      else if (L >= maxLen) {
        row.fill(0);
        row[EOS] = 1;
        return;
      }
      if (L >= maxLen) for (const v of cls.endIds) row[v] *= END_BOOST;
    } else if (L >= maxLen) {
      row.fill(0);
      row[EOS] = 1;
      return;
    }
    // repetition
    const st = this.state(ids);
    // one step ahead: a character is weighted by the share of its usual continuations still open after it
    if (on.repeat) for (const [a, share] of st.exhausted) row[a] *= Math.max(0, 1 - share - (this.staticBlocked.get(a) ?? 0));
    for (const [a, share] of this.staticBlocked) if (!on.repeat || !st.exhausted.has(a)) row[a] *= Math.max(0, 1 - share);
    if (L && cls.cjk[last]) {
      const f = st.follow.get(last);
      if (f && on.repeat) for (const [b, n] of f) if (n >= 2) row[b] = 0;
      if (on.doubles && !this.doubles.has(last)) row[last] = 0;
    }
    if (on.doubles && L >= 2 && ids[L - 2] === last) row[last] = 0;
    if (on.doubles && L >= 2 && cls.cjk[last]) {
      const a = this.vocab.tokens[ids[L - 2]], b = this.vocab.tokens[last];
      if (this.values.some((v) => v.includes(a + b)) && !this.values.some((v) => v.includes(a + b + a))) row[ids[L - 2]] = 0;
    }
    // Latin
    if (on.latin) this.applyLatin(row, ids);
    // foreign parts
    if (on.parts) this.applyParts(row, ids);
  }

  private applyLatin(row: Float32Array, ids: number[]): void {
    const { cls } = this;
    const L = ids.length;
    let run = '';
    for (let i = L - 1; i >= 0 && cls.latin[ids[i]]; i--) run = this.vocab.tokens[ids[i]].toLowerCase() + run;
    // a token of 4+ letters already written cannot be written again (no 4-gram repeats): it is not started
    let open = this.latinTokens;
    if (!run) {
      const written = ids.map((i) => this.vocab.tokens[i] ?? '').join('').toLowerCase();
      open = open.filter((t) => t.length < 4 || !written.includes(t));
    }
    for (const v of cls.latinIds) {
      const next = run + this.vocab.tokens[v].toLowerCase();
      if (!open.some((t) => t.startsWith(next))) row[v] = 0;
    }
    if (run && !this.latinTokens.includes(run)) {
      for (let v = 0; v < row.length; v++) if (!cls.latin[v]) row[v] = 0;
    }
  }

  private applyParts(row: Float32Array, ids: number[]): void {
    const L = ids.length;
    for (const p of this.parts) {
      const k = p.length - 1;
      if (k > L) continue;
      let match = true;
      for (let j = 0; j < k; j++) if (ids[L - k + j] !== p[j]) { match = false; break; }
      if (match) row[p[k]] = 0;
    }
  }

  /** A row that never ended: cut back to its last sentence end (unchanged when it has none). */
  trimUnfinished(ids: number[]): number[] {
    for (let i = ids.length - 1; i >= 0; i--) if (this.cls.end[ids[i]]) return ids.slice(0, i + 1);
    return ids;
  }
}
