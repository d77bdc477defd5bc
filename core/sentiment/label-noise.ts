/**
 * Label noise in the training rows (confident learning, Northcutt et al. 2021, binary form):
 * out-of-fold probabilities from a k-fold NB-weighted linear model (core/sentiment/linear.ts,
 * seconds per fold), per-class thresholds t_j = mean P(j) over the rows labelled j, and a row
 * flagged as probably mislabelled when the other class is confidently predicted
 * (P(other) ≥ t_other and P(other) > 0.5). The student recipe can drop or down-weight them.
 */
import { mulberry32, shuffleInPlace } from '../util/random';
import { EncodedSet } from './train';
import { trainLinear, LinearOptions } from './linear';

export type LabelNoiseAction = 'keep' | 'drop' | 'reweight';
export const LABEL_NOISE_ACTIONS: LabelNoiseAction[] = ['keep', 'drop', 'reweight'];

/** P(positive) of every training row from a model that did not see it (k folds). */
export function outOfFoldProbabilities(train: EncodedSet, val: EncodedSet, vocabSize: number, o: Omit<LinearOptions, 'onEpoch'>, folds = 4): Float32Array {
  const n = train.seqs.length;
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(o.seed + 17));
  const fold = new Int32Array(n);
  order.forEach((i, k) => (fold[i] = k % folds));
  const out = new Float32Array(n);
  for (let f = 0; f < folds; f++) {
    const inF = (i: number) => fold[i] === f;
    const tr: EncodedSet = { seqs: [], labels: [] };
    const held: number[] = [];
    for (let i = 0; i < n; i++) {
      if (inF(i)) held.push(i);
      else {
        tr.seqs.push(train.seqs[i]);
        tr.labels.push(train.labels[i]);
      }
    }
    const { member } = trainLinear(tr, val, vocabSize, o);
    const z = member.logits(held.map((i) => train.seqs[i]));
    held.forEach((i, k) => (out[i] = 1 / (1 + Math.exp(-z[k]))));
  }
  return out;
}

/** Rows whose label is probably wrong, given out-of-fold P(positive). */
export function flagLabelIssues(pPositive: ArrayLike<number>, labels: number[]): boolean[] {
  const mean = [0, 1].map((j) => {
    let s = 0;
    let c = 0;
    labels.forEach((y, i) => {
      if (y === j) {
        s += j ? pPositive[i] : 1 - pPositive[i];
        c++;
      }
    });
    return c ? s / c : 1;
  });
  return labels.map((y, i) => {
    const other = 1 - y;
    const pOther = other ? pPositive[i] : 1 - pPositive[i];
    return pOther > 0.5 && pOther >= mean[other];
  });
}
