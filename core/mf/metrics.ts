/** Rating and ranking metrics, written out so the numbers can be checked. */

export function rmse(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < truth.length; k++) s += (truth[k] - pred[k]) ** 2;
  return Math.sqrt(s / Math.max(1, truth.length));
}

export function mae(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < truth.length; k++) s += Math.abs(truth[k] - pred[k]);
  return s / Math.max(1, truth.length);
}

export interface RankingMetrics {
  ndcg10: number;
  precision10: number;
  recall10: number;
  hit10: number;
  /** Users evaluated. */
  n: number;
}

/**
 * Top-10 metrics averaged over users. `relevant`: the user's held-out items; `ranked`: the
 * model's top items (best first). Binary relevance; NDCG with log2 discounts, ideal DCG
 * from min(|relevant|, 10) hits.
 */
export function rankingMetrics(cases: Array<{ relevant: Set<string>; ranked: string[] }>, k = 10): RankingMetrics {
  let ndcg = 0;
  let prec = 0;
  let rec = 0;
  let hit = 0;
  for (const c of cases) {
    let dcg = 0;
    let hits = 0;
    const top = c.ranked.slice(0, k);
    top.forEach((item, r) => {
      if (c.relevant.has(item)) {
        dcg += 1 / Math.log2(r + 2);
        hits++;
      }
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(k, c.relevant.size); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += idcg > 0 ? dcg / idcg : 0;
    prec += hits / k;
    rec += c.relevant.size > 0 ? hits / c.relevant.size : 0;
    hit += hits > 0 ? 1 : 0;
  }
  const n = Math.max(1, cases.length);
  return { ndcg10: ndcg / n, precision10: prec / n, recall10: rec / n, hit10: hit / n, n: cases.length };
}
