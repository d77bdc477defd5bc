/** Top-k selection over item scores and the leave-last ranking evaluation. */
import { rankingMetrics, RankingMetrics } from './metrics';

/** Indices of the k largest scores, skipping `exclude`, best first. */
export function topK(scores: Float64Array, k: number, exclude?: Set<number>): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (exclude?.has(i)) continue;
    const s = scores[i];
    if (idx.length === k && s <= val[k - 1]) continue;
    let at = idx.length < k ? idx.length : k - 1;
    if (idx.length < k) {
      idx.push(i);
      val.push(s);
    }
    while (at > 0 && val[at - 1] < s) {
      idx[at] = idx[at - 1];
      val[at] = val[at - 1];
      at--;
    }
    idx[at] = i;
    val[at] = s;
  }
  return idx;
}

export interface Ranker {
  /** Item ids the ranker knows (the candidates' universe). */
  items: string[];
  /** Scores of all known items for a user (unknown user → cold-start scores). */
  scoreAll(user: string): Float64Array;
}

/**
 * Ranks, for each test user, all known items except those the user touched in train; the
 * relevant set is the held-out item(s).
 */
export function evaluateRanking(ranker: Ranker, trainItemsByUser: Map<string, Set<string>>, test: Map<string, Set<string>>, k = 10): { metrics: RankingMetrics; top: Map<string, string[]> } {
  const index = new Map(ranker.items.map((id, i) => [id, i]));
  const cases: Array<{ relevant: Set<string>; ranked: string[] }> = [];
  const top = new Map<string, string[]>();
  for (const [user, relevant] of test) {
    const ex = new Set<number>();
    for (const it of trainItemsByUser.get(user) ?? []) {
      const i = index.get(it);
      if (i !== undefined) ex.add(i);
    }
    const ranked = topK(ranker.scoreAll(user), k, ex).map((i) => ranker.items[i]);
    top.set(user, ranked);
    cases.push({ relevant, ranked });
  }
  return { metrics: rankingMetrics(cases, k), top };
}
