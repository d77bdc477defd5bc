/**
 * Retrieval over training pairs by attribute overlap: the peer baseline (return the copy of the
 * training item whose attributes overlap most) and the exemplar source for reranking.
 */
import { Attribute, parseAttrs } from './attrs';
import type { Pair } from './data';

export interface RetrievalHit {
  content: string;
  summary: string;
  overlap: number;
  score: number;
}

export class RetrievalIndex {
  private items: Array<{ pairs: Set<string>; type: string; pair: Pair }>;

  constructor(pairs: Pair[]) {
    this.items = pairs.map((p) => {
      const attrs = parseAttrs(p.content);
      return { pairs: new Set(attrs.map((a) => `${a.key}#${a.value}`)), type: attrs.find((a) => a.key === '类型')?.value ?? '', pair: p };
    });
  }

  get size(): number {
    return this.items.length;
  }

  /** Top-k by shared key#value pairs (ties: higher Jaccard, then earlier item), skipping an identical attribute string if `excludeSame`. */
  nearest(attrs: Attribute[], k = 1, excludeSame = false): RetrievalHit[] {
    const q = new Set(attrs.map((a) => `${a.key}#${a.value}`));
    const type = attrs.find((a) => a.key === '类型')?.value ?? '';
    const scored: RetrievalHit[] = [];
    for (const it of this.items) {
      let overlap = 0;
      for (const x of q) if (it.pairs.has(x)) overlap++;
      if (excludeSame && overlap === q.size && overlap === it.pairs.size) continue;
      const jac = overlap / (q.size + it.pairs.size - overlap);
      const score = overlap + jac + (it.type === type ? 0.5 : 0);
      scored.push({ content: it.pair.content, summary: it.pair.summary, overlap, score });
    }
    // Stable: earlier items win ties.
    return scored.map((s, i) => ({ s, i })).sort((a, b) => b.s.score - a.s.score || a.i - b.i).slice(0, k).map((x) => x.s);
  }
}
