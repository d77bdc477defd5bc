/** Training pairs → id sequences → padded batches (bucketed by target length), with a seeded split. */
import { tf } from '../tf/runtime';
import { parseAttrs, Attribute } from './attrs';
import { controlsOf, Controls } from './controls';
import { CharVocab, BOS, EOS } from './vocab';
import { Batch, reverseWithinLength } from './model';
import { mulberry32 as rng, shuffleInPlace } from '../util/random';

export interface Pair {
  content: string;
  summary: string;
}

export interface Example {
  src: number[];
  tgt: number[];
}

export { rng };

/** A shuffled copy (the input is left as it is). */
export function shuffle<T>(xs: T[], rand: () => number): T[] {
  return shuffleInPlace(xs.slice(), rand);
}

/** Seeded split: `valSize` pairs held out for validation, the rest for training. */
export function split<T>(rows: T[], valSize: number, seed = 17): { train: T[]; val: T[] } {
  const idx = shuffle([...rows.keys()], rng(seed));
  const valIdx = new Set(idx.slice(0, valSize));
  return { train: rows.filter((_, i) => !valIdx.has(i)), val: rows.filter((_, i) => valIdx.has(i)) };
}

/** Cuts copy longer than `max` characters after the last sentence or clause mark before the limit. */
export function truncateCopy(copy: string, max: number): string {
  const cs = Array.from(copy);
  if (cs.length <= max) return copy;
  const head = cs.slice(0, max);
  for (let i = head.length - 1; i >= max * 0.6; i--) if ('。！？；，'.includes(head[i])) return head.slice(0, i + 1).join('');
  return head.join('');
}

export function makeExample(vocab: CharVocab, attrs: Attribute[], c: Controls, copy: string, maxTgt: number, exemplar?: { text: string; chars: number }): Example {
  return { src: vocab.encodeSource(attrs, c, exemplar), tgt: [...vocab.encodeText(truncateCopy(copy, maxTgt)), EOS] };
}

/** Exemplars for a retrieval-augmented model: one text per pair ('' = none), cut to `chars`; a share `dropRate` is left out so the model also writes without one. */
export interface ExemplarInput {
  texts: string[];
  chars: number;
  dropRate: number;
}

/** Examples for training: controls derived from the copy; the first-mentioned value is marked preferred in half of them. */
export function makeExamples(vocab: CharVocab, pairs: Pair[], maxTgt: number, seed = 5, exemplars?: ExemplarInput): Example[] {
  const rand = rng(seed);
  return pairs.map((p, i) => {
    const attrs = parseAttrs(p.content);
    const c = controlsOf(attrs, p.summary);
    if (rand() < 0.5) c.prefer = [];
    const ex = exemplars && exemplars.texts[i] && rand() >= exemplars.dropRate ? { text: exemplars.texts[i], chars: exemplars.chars } : undefined;
    return makeExample(vocab, attrs, c, p.summary, maxTgt, ex);
  });
}

/** Batches of similar target length (less padding), in a seeded random order. */
export function batchOrder(examples: Example[], batchSize: number, seed: number): number[][] {
  const rand = rng(seed);
  const idx = shuffle([...examples.keys()], rand).sort((a, b) => examples[a].tgt.length - examples[b].tgt.length);
  const batches: number[][] = [];
  for (let i = 0; i < idx.length; i += batchSize) batches.push(idx.slice(i, i + batchSize));
  return shuffle(batches, rand);
}

export function toBatch(examples: Example[], copy: boolean): Batch {
  const B = examples.length;
  const S = Math.max(...examples.map((e) => e.src.length));
  const T = Math.max(...examples.map((e) => e.tgt.length));
  const src = new Int32Array(B * S);
  const tin = new Int32Array(B * T);
  const tout = new Int32Array(B * T);
  const tmask = new Float32Array(B * T);
  const cmask = copy ? new Float32Array(B * T * S) : undefined;
  examples.forEach((e, b) => {
    e.src.forEach((id, s) => (src[b * S + s] = id));
    e.tgt.forEach((id, t) => {
      tin[b * T + t] = t === 0 ? BOS : e.tgt[t - 1];
      tout[b * T + t] = id;
      tmask[b * T + t] = 1;
      if (cmask && id > EOS) e.src.forEach((sid, s) => { if (sid === id) cmask[(b * T + t) * S + s] = 1; });
    });
  });
  const { rev, idx } = reverseWithinLength(examples.map((e) => e.src), S);
  return {
    src: tf.tensor2d(src, [B, S], 'int32'),
    srcRev: tf.tensor2d(rev, [B, S], 'int32'),
    revIdx: tf.tensor1d(idx, 'int32'),
    tgtIn: tf.tensor2d(tin, [B, T], 'int32'),
    tgtOut: tf.tensor1d(tout, 'int32'),
    tgtMask: tf.tensor1d(tmask),
    copyMask: cmask ? tf.tensor3d(cmask, [B, T, S]) : undefined,
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.src, b.srcRev, b.revIdx, b.tgtIn, b.tgtOut, b.tgtMask]);
  if (b.copyMask) b.copyMask.dispose();
}
