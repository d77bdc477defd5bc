/**
 * Confidence cascade (early exit) over an ensemble: the cheap feature members (embedding bag +
 * NB-LR, which share one n-gram encoding) answer every review whose own calibrated probability
 * is confident, |p_fast − 0.5| ≥ margin; only the uncertain rest runs the expensive members (the
 * BiGRUs) and gets the full ensemble's answer. The fast members' logits are computed once and
 * reused inside the full ensemble, so a fallback row costs only the BiGRUs. The fast path has its
 * own weights and temperature (fitted on validation, so its probabilities are calibrated too); the
 * margin is the smallest on a grid at which the cascade's validation decisions equal the full
 * ensemble's (fitCascade). Stored as config.cascade; SentimentClassifier.logits uses it.
 */
import { LabelledText } from '../data/datasets';
import { combineLogits, fitEnsemble, MemberKind, MemberWeight } from './ensemble';
import { expectedCalibrationError, fitTemperature, nll } from './calibrate';
import { sigmoid } from './model';

/** What the cascade needs of a classifier (SentimentClassifier is one; typed here so classifier.ts can import this file). */
export interface CascadeHost {
  config: { cascade?: CascadeConfig; members?: MemberWeight[]; temperature: number };
  encode(texts: string[]): number[][];
  memberLogit(kind: MemberKind, texts: string[], seqs: number[][], batchSize?: number): Float32Array;
}

/** Members computed from the n-gram feature ids alone (no tokens of their own). */
export const FAST_KINDS: MemberKind[] = ['bag', 'linear'];

export interface CascadeConfig {
  /** The fast path: a combination of feature members (weights on the simplex, own temperatures). */
  fast: MemberWeight[];
  /** Final temperature of the fast combination (p_fast = sigmoid(Σ wᵢ zᵢ / Tᵢ / temperature)). */
  temperature: number;
  /** Rows with |p_fast − 0.5| < margin go to the full ensemble. */
  margin: number;
  /** How the margin was chosen and what it gave on validation. */
  selection?: Record<string, unknown>;
}

export interface CascadeResult {
  /** On the ensemble's scale: logit / config.temperature is the calibrated logit. */
  logits: Float32Array;
  /** Indices of the rows answered by the full ensemble. */
  fallback: number[];
}

function pick(z: Float32Array, rows: number[]): Float32Array {
  return Float32Array.from(rows, (i) => z[i]);
}

/** Decides every row by the fast path or, when it is uncertain, by the full ensemble. */
export function cascadeLogits(cls: CascadeHost, texts: string[], batchSize = 1024): CascadeResult {
  const c = cls.config.cascade;
  const members = cls.config.members;
  if (!c || !members) throw new Error('cascadeLogits: the model has no cascade (config.cascade) or no ensemble members');
  const seqs = cls.encode(texts);
  const cache = new Map<MemberKind, Float32Array>();
  const fastParts = c.fast.map((m) => {
    const z = cls.memberLogit(m.kind, texts, seqs, batchSize);
    cache.set(m.kind, z);
    return z;
  });
  const zFast = combineLogits(fastParts, c.fast);
  const T = cls.config.temperature;
  const out = new Float32Array(texts.length);
  const fallback: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const zc = zFast[i] / c.temperature;
    if (Math.abs(sigmoid(zc) - 0.5) < c.margin) fallback.push(i);
    else out[i] = zc * T;
  }
  if (fallback.length > 0) {
    const subTexts = fallback.map((i) => texts[i]);
    const subSeqs = fallback.map((i) => seqs[i]);
    const parts = members.map((m) => {
      if (m.weight === 0) return new Float32Array(fallback.length);
      const known = cache.get(m.kind);
      return known ? pick(known, fallback) : cls.memberLogit(m.kind, subTexts, subSeqs, batchSize);
    });
    const z = combineLogits(parts, members);
    fallback.forEach((i, j) => (out[i] = z[j]));
  }
  return { logits: out, fallback };
}

export interface CascadeRow {
  margin: number;
  /** Share of rows sent to the full ensemble. */
  share: number;
  /** Share of rows where the cascade's decision equals the full ensemble's. */
  agreement: number;
  accuracy: number;
}

/** Decisions and shares of the cascade for given member logits (all members computed). */
export function simulateCascade(parts: ArrayLike<number>[], members: MemberWeight[], temperature: number, fast: MemberWeight[], fastTemperature: number, margin: number, labels: number[]): CascadeRow & { probabilities: Float32Array } {
  const byKind = new Map(members.map((m, k) => [m.kind, parts[k]]));
  const zFull = combineLogits(parts, members);
  const zFast = combineLogits(fast.map((m) => byKind.get(m.kind)!), fast);
  const probabilities = new Float32Array(labels.length);
  let sent = 0;
  let agree = 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const pf = sigmoid(zFast[i] / fastTemperature);
    const pFull = sigmoid(zFull[i] / temperature);
    const p = Math.abs(pf - 0.5) < margin ? (sent++, pFull) : pf;
    probabilities[i] = p;
    if (p > 0.5 === pFull > 0.5) agree++;
    if ((p > 0.5 ? 1 : 0) === labels[i]) right++;
  }
  const n = Math.max(1, labels.length);
  return { margin, share: sent / n, agreement: agree / n, accuracy: right / n, probabilities };
}

export const MARGIN_GRID = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45];

/**
 * Fits the fast path on validation logits (member temperatures and simplex weights of the fast
 * kinds, then its final temperature) and picks the smallest margin on the grid whose validation
 * decisions agree with the full ensemble on at least `minAgreement` of the rows (default: all).
 */
export function fitCascade(parts: ArrayLike<number>[], members: MemberWeight[], temperature: number, labels: number[], o: { fastKinds?: MemberKind[]; minAgreement?: number; grid?: number[] } = {}): { cascade: CascadeConfig; table: CascadeRow[] } {
  const fastKinds = (o.fastKinds ?? FAST_KINDS).filter((k) => members.some((m) => m.kind === k));
  if (fastKinds.length === 0) throw new Error('fitCascade: the ensemble has no feature members (bag, linear) for a fast path');
  if (fastKinds.length === members.length) throw new Error('fitCascade: every member is a fast one; nothing to fall back to');
  const byKind = new Map(members.map((m, k) => [m.kind, parts[k]]));
  const fastParts = fastKinds.map((k) => byKind.get(k)!);
  const fast = fitEnsemble(fastKinds, fastParts, labels);
  const fastT = fitTemperature(combineLogits(fastParts, fast), labels);
  const minAgreement = o.minAgreement ?? 1;
  const table = (o.grid ?? MARGIN_GRID).map((m) => {
    const { probabilities, ...row } = simulateCascade(parts, members, temperature, fast, fastT, m, labels);
    void probabilities;
    return row;
  });
  const chosen = table.find((r) => r.agreement >= minAgreement) ?? table[table.length - 1];
  const sim = simulateCascade(parts, members, temperature, fast, fastT, chosen.margin, labels);
  const logit = Float32Array.from(sim.probabilities, (p) => Math.log(Math.max(1e-7, p) / Math.max(1e-7, 1 - p)));
  const selection = {
    rule: `smallest margin on the grid ${JSON.stringify(o.grid ?? MARGIN_GRID)} whose validation decisions agree with the full ensemble on ≥ ${minAgreement * 100} % of the rows`,
    validation: { n: labels.length, share: chosen.share, agreement: chosen.agreement, accuracy: chosen.accuracy, nll: nll(logit, labels, 1), ece: expectedCalibrationError(sim.probabilities, labels) },
  };
  return { cascade: { fast, temperature: fastT, margin: chosen.margin, selection }, table };
}
