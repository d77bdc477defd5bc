/**
 * Calibration and labels. The model's logit z is scaled by a temperature T fitted on the
 * validation split (minimum negative log-likelihood): p = sigmoid(z / T). A text is
 * `neutral` when p lies inside the band [0.5 - w, 0.5 + w] (w = NEUTRAL_HALF_WIDTH by default).
 */
import { sigmoid } from './model';

export const NEUTRAL_HALF_WIDTH = 0.1;

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

export function labelFor(probability: number, halfWidth = NEUTRAL_HALF_WIDTH): SentimentLabel {
  if (!Number.isFinite(probability)) throw new Error(`probability ${probability} is not a number`);
  if (Math.abs(probability - 0.5) <= halfWidth) return 'neutral';
  return probability > 0.5 ? 'positive' : 'negative';
}

export function nll(logits: ArrayLike<number>, labels: number[], temperature: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(logits[i] / temperature)));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / Math.max(1, labels.length);
}

/** The temperature minimising validation NLL (golden-section search on log T in [1/20, 20]). */
export function fitTemperature(logits: ArrayLike<number>, labels: number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const f = (u: number) => nll(logits, labels, Math.exp(u));
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let it = 0; it < 60; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration error over `bins` equal-width probability bins. */
export function expectedCalibrationError(probs: ArrayLike<number>, labels: number[], bins = 10): number {
  const n = new Array(bins).fill(0);
  const conf = new Array(bins).fill(0);
  const pos = new Array(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(bins - 1, Math.floor(probs[i] * bins));
    n[b]++;
    conf[b] += probs[i];
    pos[b] += labels[i];
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]) e += (n[b] / labels.length) * Math.abs(conf[b] / n[b] - pos[b] / n[b]);
  return e;
}
