/**
 * How a draft is picked among a request's candidates, beyond each candidate's own score:
 *  - consensus (minimum-Bayes-risk selection): a candidate's mean character BLEU against the other
 *    candidates of the same request. The phrasing the model's own samples agree on is the one
 *    a reader (and the reference) most likely shares; a sample that wandered off scores low.
 *  - novelty: the share of a candidate's character bigrams that recent drafts did not use (a
 *    PhraseMemory), so the copy of a campaign does not repeat the same stock phrases
 *    (修饰腿部曲线, 展现出女性的…) draft after draft.
 */
import { charBigrams, ngramProfile, profileBleu } from './metrics';

/** Mean character BLEU-4 (0–1) of each text against all the others (0 for a single text). */
export function consensusScores(texts: string[]): number[] {
  const profiles = texts.map((t) => ngramProfile(Array.from(t)));
  return profiles.map((hyp, i) => {
    if (profiles.length < 2) return 0;
    let sum = 0;
    profiles.forEach((ref, j) => {
      if (j !== i) sum += profileBleu(ref, hyp);
    });
    return sum / (profiles.length - 1);
  });
}

/**
 * The character bigrams of the last `window` drafts a generator wrote (a sliding window, oldest
 * forgotten first). Order matters by design: what it favours depends on what came before.
 */
export class PhraseMemory {
  private readonly counts = new Map<string, number>();
  /** first character → second character → count (the same bigrams, indexed for decoding) */
  private readonly next = new Map<string, Map<string, number>>();
  private readonly drafts: string[][] = [];
  /** first character of each remembered draft → count (what `followers(PhraseMemory.START)` returns) */
  private readonly openers = new Map<string, number>();
  private readonly firsts: string[] = [];

  /** The key `followers` takes for the first character of a draft. */
  static readonly START = '\u0002';

  constructor(readonly window = 2000) {
    if (!Number.isInteger(window) || window < 1) throw new Error(`PhraseMemory window must be a positive integer (got ${window})`);
  }

  /** Drafts remembered now (at most `window`). */
  get size(): number {
    return this.drafts.length;
  }

  /** Share (0–1) of the text's bigrams that no remembered draft used; 1 for an empty memory or a text under two characters. */
  freshShare(text: string): number {
    const b = charBigrams(text);
    if (!b.length || !this.counts.size) return 1;
    return b.filter((x) => !this.counts.has(x)).length / b.length;
  }

  /** How often each character followed `ch` in the remembered drafts (undefined: never seen first). */
  followers(ch: string): ReadonlyMap<string, number> | undefined {
    return ch === PhraseMemory.START ? (this.openers.size ? this.openers : undefined) : this.next.get(ch);
  }

  remember(text: string): void {
    const b = charBigrams(text);
    this.drafts.push(b);
    for (const x of b) this.add(x, 1);
    const first = Array.from(text)[0] ?? '';
    this.firsts.push(first);
    if (first) this.openers.set(first, (this.openers.get(first) ?? 0) + 1);
    while (this.drafts.length > this.window) {
      for (const x of this.drafts.shift() ?? []) this.add(x, -1);
      const f = this.firsts.shift() ?? '';
      const c = (this.openers.get(f) ?? 0) - 1;
      if (c > 0) this.openers.set(f, c);
      else this.openers.delete(f);
    }
  }

  private add(bigram: string, d: number): void {
    const c = (this.counts.get(bigram) ?? 0) + d;
    const [a, b] = Array.from(bigram);
    const f = this.next.get(a) ?? new Map<string, number>();
    if (c > 0) {
      this.counts.set(bigram, c);
      f.set(b, c);
      this.next.set(a, f);
    } else {
      this.counts.delete(bigram);
      f.delete(b);
      if (!f.size) this.next.delete(a);
    }
  }

  clear(): void {
    this.counts.clear();
    this.next.clear();
    this.drafts.length = 0;
    this.openers.clear();
    this.firsts.length = 0;
  }
}
