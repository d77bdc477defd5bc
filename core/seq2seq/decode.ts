/**
 * Decoding: greedy, beam search and sampling (temperature, top-p), all with n-gram repetition
 * blocking, a minimum length (no <eos> before it) and a maximum length. Model maths run in tf;
 * the search runs in JS on the per-step probabilities.
 */
import { tf } from '../tf/runtime';
import { decodeStep, disposeDecode, ModelConfig, prepareDecode, Weights } from './model';
import { BOS, EOS, CONTROL_TOKENS, SPECIALS } from './vocab';
import { rng } from './data';
import { CopyConstraints, END_GRACE } from './constraints';

export interface LoadedModel {
  w: Weights;
  cfg: ModelConfig;
}

export interface DecodeOptions {
  /** Results wanted (beam: best finished beams; sample: samples). */
  n?: number;
  beamSize?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Block any repeated n-gram of this many tokens (0: off). */
  noRepeatNgram?: number;
  /** Block a span of 2..this many tokens repeated back to back (a字a字); 0: off. */
  noImmediateRepeat?: number;
  /** Multiply the probability of these token ids (tone markers) by the factor. */
  bias?: Map<number, number>;
  minLen?: number;
  maxLen?: number;
  /** Beam scores are divided by length^lengthPenalty. */
  lengthPenalty?: number;
  /** Further token ids never produced (e.g. the vocabulary's exemplar marker). */
  banned?: number[];
  /** Multiply the probability of a token that would repeat a bigram already in this output (1: off). */
  repeatBigramFactor?: number;
  /** Per previous token: factors for the probability of the tokens that may follow it (e.g. overused bigrams). */
  followBias?: (prev: number) => Map<number, number> | undefined;
  /** Fault constraints (see constraints.ts): applied last each step; rows may run END_GRACE past maxLen to end a sentence. */
  constraints?: CopyConstraints;
}

export interface Hypothesis {
  ids: number[];
  /** Sum of model log-probabilities of the chosen tokens (incl. <eos> when finished). */
  logp: number;
  finished: boolean;
}

/** Tokens never produced: specials except <eos>, and the control tokens. */
const BANNED_BASE = SPECIALS.length + CONTROL_TOKENS.length;

/** Tokens that would complete an n-gram already present in `ids`. */
export function blockedTokens(ids: number[], n: number): Set<number> {
  const out = new Set<number>();
  if (n <= 0 || ids.length < n - 1) return out;
  if (n === 1) return new Set(ids);
  const L = ids.length;
  for (let i = 0; i + n - 1 < L; i++) {
    let same = true;
    for (let j = 0; j < n - 1; j++) if (ids[i + j] !== ids[L - (n - 1) + j]) { same = false; break; }
    if (same) out.add(ids[i + n - 1]);
  }
  return out;
}

/** Tokens that would end a span of 2..maxSpan tokens repeated back to back (XX). */
export function immediateRepeatTokens(ids: number[], maxSpan: number): Set<number> {
  const out = new Set<number>();
  const L = ids.length;
  for (let k = 2; k <= maxSpan && 2 * k - 1 <= L; k++) {
    let same = true;
    for (let j = 0; j < k - 1; j++) if (ids[L - k + 1 + j] !== ids[L - 2 * k + 1 + j]) { same = false; break; }
    if (same) out.add(ids[L - k]);
  }
  return out;
}

/** Zeroes the probability of tokens that may not come next; returns the share of the mass (<eos> aside) the fault constraints removed. */
function maskRow(row: Float32Array, ids: number[], o: DecodeOptions): number {
  for (let v = 0; v < BANNED_BASE; v++) if (v !== EOS) row[v] = 0;
  if (o.banned) for (const v of o.banned) row[v] = 0;
  if (ids.length < (o.minLen ?? 0)) row[EOS] = 0;
  for (const v of blockedTokens(ids, o.noRepeatNgram ?? 0)) row[v] = 0;
  if (o.noImmediateRepeat) for (const v of immediateRepeatTokens(ids, o.noImmediateRepeat)) row[v] = 0;
  if (o.bias) for (const [v, f] of o.bias) row[v] *= f;
  if (o.repeatBigramFactor !== undefined && o.repeatBigramFactor !== 1) for (const v of blockedTokens(ids, 2)) row[v] *= o.repeatBigramFactor;
  const follow = o.followBias ? o.followBias(ids.length ? ids[ids.length - 1] : BOS) : undefined;
  if (follow) for (const [v, f] of follow) row[v] *= f;
  if (!o.constraints) return 0;
  const before = massWithoutEos(row);
  o.constraints.apply(row, ids, o.maxLen ?? 160);
  return before > 0 ? 1 - massWithoutEos(row) / before : 0;
}

function massWithoutEos(row: Float32Array): number {
  let z = 0;
  for (let i = 0; i < row.length; i++) z += row[i];
  return z - row[EOS];
}

/**
 * Constrained sampling backs up one token when the constraints removed more than this share of the next
 * token's probability (the model wanted to write 性感 a third time and 性 is already written): the last
 * token is drawn again from its own step's distribution without it, instead of continuing wrongly (性觉).
 */
export const BACKTRACK_SHARE = 0.5;
/** At most this many back-ups per row. */
export const MAX_BACKTRACKS = 8;

/** Decoding steps: maxLen, plus the grace a constrained row has to finish its sentence. */
function stepsOf(o: DecodeOptions): number {
  return (o.maxLen ?? 160) + (o.constraints ? END_GRACE : 0);
}

/**
 * A row ends. When nothing was allowed (a constrained dead end, <eos> at probability 0), it is cut back to
 * its last full sentence rather than stopping mid-sentence.
 */
function endRow(hy: Hypothesis, row: Float32Array, o: DecodeOptions): void {
  hy.finished = true;
  if (o.constraints && !(row[EOS] > 0)) hy.ids = o.constraints.trimUnfinished(hy.ids);
}

/** A row that never ended, cut back to its last full sentence when constrained. */
function finishRow(h: Hypothesis, o: DecodeOptions): Hypothesis {
  if (h.finished || !o.constraints) return h;
  const ids = o.constraints.trimUnfinished(h.ids);
  return ids.length === h.ids.length ? h : { ids, logp: (h.logp * ids.length) / Math.max(1, h.ids.length), finished: false };
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return row[best] > 0 ? best : EOS;
}

/** Indices of the k largest entries of `row`, largest first (ties: lower index first). */
export function topK(row: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const x = row[i];
    if (!(x > 0)) continue;
    if (best.length === k && x <= row[best[k - 1]]) continue;
    let j = best.length < k ? best.length : k - 1;
    while (j > 0 && row[best[j - 1]] < x) {
      if (j < k) best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best;
}

/**
 * Samples from a probability row sharpened by the temperature (p^(1/T)), restricted to the top-p
 * nucleus (within the 64 most likely tokens, which always hold the nucleus that matters).
 * Temperature 0 is argmax.
 */
export function sampleToken(row: Float32Array, temperature: number, topP: number, rand: () => number): number {
  if (temperature <= 0) return argmax(row);
  const idx = topK(row, 64);
  if (idx.length === 0) return EOS;
  const mx = row[idx[0]];
  const p = idx.map((i) => Math.pow(row[i] / mx, 1 / temperature));
  const z = p.reduce((a, b) => a + b, 0);
  let cum = 0;
  let cut = idx.length;
  for (let k = 0; k < idx.length; k++) {
    cum += p[k] / z;
    if (cum >= topP) { cut = k + 1; break; }
  }
  let zz = 0;
  for (let k = 0; k < cut; k++) zz += p[k];
  let u = rand() * zz;
  for (let k = 0; k < cut; k++) {
    u -= p[k];
    if (u <= 0) return idx[k];
  }
  return idx[cut - 1];
}

/**
 * Runs `temps.length` rows in one batch: a row with temperature 0 decodes greedily, others sample.
 * Returns one hypothesis per row.
 */
export function sampleRows(m: LoadedModel, src: number[], temps: number[], o: DecodeOptions = {}): Hypothesis[] {
  const N = temps.length;
  const maxLen = stepsOf(o);
  const rand = rng(o.seed ?? 1);
  const ctx = prepareDecode(m.w, m.cfg, src, N);
  let h = ctx.e.h0.clone();
  const hyps: Hypothesis[] = temps.map(() => ({ ids: [], logp: 0, finished: false }));
  let prev = new Array<number>(N).fill(BOS);
  // per row: the masked distribution its last token was drawn from (for backing up), and back-ups so far
  const lastRows: Array<Float32Array | undefined> = new Array(N).fill(undefined);
  const backups = new Array<number>(N).fill(0);
  const target = o.maxLen ?? 160;
  try {
    for (let t = 0; t < maxLen && hyps.some((x) => !x.finished); t++) {
      const step = decodeStep(m.w, m.cfg, ctx, prev, h);
      const lp = step.probs;
      const V = m.cfg.vocabSize;
      prev = prev.slice();
      const keep: number[] = [];
      for (let r = 0; r < N; r++) {
        const hy = hyps[r];
        if (hy.finished) continue;
        const row = lp.subarray(r * V, (r + 1) * V);
        const removed = maskRow(row, hy.ids, o);
        const last = lastRows[r];
        if (removed > BACKTRACK_SHARE && last && hy.ids.length > 0 && hy.ids.length < target && backups[r] < MAX_BACKTRACKS) {
          // back up: redraw the last token from its own distribution without it; the row keeps its input state
          const old = hy.ids.pop()!;
          hy.logp -= Math.log(Math.max(last[old], 1e-30));
          last[old] = 0;
          backups[r]++;
          const tok = sampleToken(last, temps[r], o.topP ?? 1, rand);
          hy.logp += Math.log(Math.max(last[tok], 1e-30));
          if (tok === EOS) endRow(hy, last, o);
          else hy.ids.push(tok);
          prev[r] = tok;
          keep.push(r);
          continue;
        }
        const tok = sampleToken(row, temps[r], o.topP ?? 1, rand);
        hy.logp += Math.log(Math.max(row[tok], 1e-30));
        if (o.constraints) lastRows[r] = row.slice();
        if (tok === EOS) endRow(hy, row, o);
        else hy.ids.push(tok);
        prev[r] = tok;
      }
      let next = step.h;
      if (keep.length) {
        const mask = new Array<number>(N).fill(0);
        for (const r of keep) mask[r] = 1;
        next = tf.tidy(() => tf.where(tf.tensor2d(mask, [N, 1], 'bool').tile([1, step.h.shape[1]]), h, step.h)) as tf.Tensor2D;
        step.h.dispose();
      }
      h.dispose();
      h = next;
    }
  } finally {
    h.dispose();
    disposeDecode(ctx);
  }
  return hyps.map((x) => finishRow(x, o));
}

export function greedy(m: LoadedModel, src: number[], o: DecodeOptions = {}): Hypothesis {
  return sampleRows(m, src, [0], o)[0];
}

export function sample(m: LoadedModel, src: number[], o: DecodeOptions = {}): Hypothesis[] {
  return sampleRows(m, src, new Array<number>(o.n ?? 1).fill(o.temperature ?? 1), o);
}

/** Beam search; returns up to `n` hypotheses, best (length-normalised log-probability) first. */
export function beamSearch(m: LoadedModel, src: number[], o: DecodeOptions = {}): Hypothesis[] {
  const K = o.beamSize ?? 4;
  const n = Math.min(o.n ?? 1, K);
  const maxLen = stepsOf(o);
  const alpha = o.lengthPenalty ?? 1;
  const norm = (h: Hypothesis) => h.logp / Math.max(1, h.ids.length + (h.finished ? 1 : 0)) ** alpha;
  const V = m.cfg.vocabSize;
  const ctx = prepareDecode(m.w, m.cfg, src, K);
  let h = ctx.e.h0.clone();
  let beams: Hypothesis[] = [{ ids: [], logp: 0, finished: false }];
  const finished: Hypothesis[] = [];
  try {
    for (let t = 0; t < maxLen && beams.length; t++) {
      const prev = Array.from({ length: K }, (_, r) => (r < beams.length ? (beams[r].ids.length ? beams[r].ids[beams[r].ids.length - 1] : BOS) : BOS));
      const step = decodeStep(m.w, m.cfg, ctx, prev, h);
      const lp = step.probs;
      const cands: Array<{ parent: number; tok: number; logp: number }> = [];
      beams.forEach((b, r) => {
        const row = lp.subarray(r * V, (r + 1) * V);
        maskRow(row, b.ids, o);
        // the 2K best tokens of this beam
        for (const v of topK(row, 2 * K)) cands.push({ parent: r, tok: v, logp: b.logp + Math.log(row[v]) });
      });
      cands.sort((a, c) => c.logp - a.logp);
      const next: Hypothesis[] = [];
      const parents: number[] = [];
      for (const c of cands) {
        const ids = beams[c.parent].ids;
        if (c.tok === EOS) finished.push({ ids: ids.slice(), logp: c.logp, finished: true });
        else if (next.length < K) { next.push({ ids: [...ids, c.tok], logp: c.logp, finished: false }); parents.push(c.parent); }
        if (next.length >= K) break;
      }
      const hn = tf.tidy(() => tf.gather(step.h, tf.tensor1d([...parents, ...new Array(K - parents.length).fill(0)], 'int32')));
      step.h.dispose();
      h.dispose();
      h = hn as tf.Tensor2D;
      beams = next;
      // Stop when n finished hypotheses beat every live beam (at its current normalised score), or enough finished.
      if (finished.length >= n) {
        const nth = finished.map(norm).sort((a, c) => c - a)[n - 1];
        if (finished.length >= 2 * K || Math.max(...beams.map(norm)) < nth) break;
      }
    }
  } finally {
    h.dispose();
    disposeDecode(ctx);
  }
  const all = [...finished, ...beams.map((b) => finishRow(b, o))];
  return all.sort((a, c) => norm(c) - norm(a)).slice(0, n);
}
