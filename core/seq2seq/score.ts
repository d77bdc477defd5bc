/**
 * Teacher-forced scoring: the model's mean log-probability per token of given target texts for
 * one source, in one batch. The reranker uses it for the mutual-information term (how much more
 * likely a text is given the item's attributes than given its product type alone).
 */
import { tf } from '../tf/runtime';
import { tokenLogProbs } from './model';
import { disposeBatch, toBatch } from './data';
import type { LoadedModel } from './decode';
import { EOS } from './vocab';

/** Mean log-probability per token (incl. <eos>) of each target id sequence given `src`. */
export function meanLogProbs(m: LoadedModel, src: number[], targets: number[][]): number[] {
  if (targets.length === 0) return [];
  const examples = targets.map((t) => ({ src, tgt: [...t, EOS] }));
  const b = toBatch(examples, m.cfg.copy);
  try {
    const T = b.tgtIn.shape[1];
    const flat = tf.tidy(() => tf.mul(tokenLogProbs(m.w, m.cfg, b, false), b.tgtMask)).dataSync() as Float32Array;
    return examples.map((e, i) => {
      let s = 0;
      for (let t = 0; t < e.tgt.length; t++) s += flat[i * T + t];
      return s / e.tgt.length;
    });
  } finally {
    disposeBatch(b);
  }
}
