/**
 * Retrieval over training pairs by attribute overlap: the peer baseline (return the copy of the
 * training item whose attributes overlap most) and the exemplar source for reranking.
 */
import { Attribute, parseAttrs } from './attrs';
import type { Pair } from './data';
import { charBigramSet } from './metrics';

export interface RetrievalHit {
  content: string;
  summary: string;
  overlap: number;
  score: number;
}

export class RetrievalIndex {
  private items: Array<{ attrs: Attribute[]; pairs: Set<string>; type: string; pair: Pair }>;

  constructor(pairs: Pair[]) {
    this.items = pairs.map((p) => {
      const attrs = parseAttrs(p.content);
      return { attrs, pairs: new Set(attrs.map((a) => `${a.key}#${a.value}`)), type: attrs.find((a) => a.key === '类型')?.value ?? '', pair: p };
    });
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * Top-k by shared key#value pairs (ties: higher Jaccard, then earlier item), skipping an identical
   * attribute string if `excludeSame`, and item `skip` (an index into the pairs, e.g. the query itself).
   */
  nearest(attrs: Attribute[], k = 1, excludeSame = false, skip = -1): RetrievalHit[] {
    const q = new Set(attrs.map((a) => `${a.key}#${a.value}`));
    const type = attrs.find((a) => a.key === '类型')?.value ?? '';
    // Keep the k best in order (k is small): earlier items win ties.
    const best: Array<{ i: number; overlap: number; score: number }> = [];
    this.items.forEach((it, i) => {
      if (i === skip) return;
      let overlap = 0;
      for (const x of q) if (it.pairs.has(x)) overlap++;
      if (excludeSame && overlap === q.size && overlap === it.pairs.size) return;
      const jac = overlap / (q.size + it.pairs.size - overlap);
      const score = overlap + jac + (it.type === type ? 0.5 : 0);
      if (best.length === k && score <= best[k - 1].score) return;
      let j = Math.min(best.length, k - 1);
      while (j > 0 && best[j - 1].score < score) j--;
      best.splice(j, 0, { i, overlap, score });
      if (best.length > k) best.pop();
    });
    return best.map(({ i, overlap, score }) => ({ content: this.items[i].pair.content, summary: this.items[i].pair.summary, overlap, score }));
  }

  /**
   * An exemplar for each indexed pair, for training a retrieval-augmented model: one of the `k`
   * nearest other pairs (never the pair itself nor a copy with the same text). `pick` 'random'
   * chooses one by the seeded `rand`; 'copy' the one whose copy shares most character bigrams with
   * the pair's own copy (so the model learns that the exemplar's phrasing is worth copying).
   */
  exemplarsForOwnPairs(k: number, rand: () => number, pick: 'random' | 'copy' = 'random'): string[] {
    return this.items.map((it, i) => {
      const hits = this.nearest(it.attrs, k + 1, false, i)
        .filter((h) => h.summary !== it.pair.summary)
        .slice(0, k);
      if (!hits.length) return '';
      if (pick === 'random') return hits[Math.floor(rand() * hits.length)].summary;
      const own = charBigramSet(it.pair.summary);
      return hits.map((h) => ({ h, shared: sharedCount(own, charBigramSet(h.summary)) })).reduce((a, b) => (b.shared > a.shared ? b : a)).h.summary;
    });
  }
}

function sharedCount(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}
