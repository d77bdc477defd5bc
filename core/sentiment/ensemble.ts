/**
 * Combining the members' logits: each member is first calibrated on its own (z_i / T_i, T_i
 * fitted on validation), then the calibrated logits are averaged with weights on the simplex
 * chosen on validation (lowest negative log-likelihood on a grid); the final temperature of
 * the classifier is fitted on the combination.
 */
import { fitTemperature, nll } from './calibrate';

export type MemberKind = 'bag' | 'linear' | 'chargru' | 'wordgru';

export const MEMBER_KINDS: MemberKind[] = ['bag', 'linear', 'chargru', 'wordgru'];

export interface MemberWeight {
  kind: MemberKind;
  /** Weight in the average (the weights sum to 1). */
  weight: number;
  /** The member's own temperature. */
  temperature: number;
}

/** Σ_i weight_i · z_i / T_i per text. */
export function combineLogits(parts: ArrayLike<number>[], members: Pick<MemberWeight, 'weight' | 'temperature'>[]): Float32Array {
  if (parts.length !== members.length) throw new Error(`combineLogits: ${parts.length} logit arrays for ${members.length} members`);
  const n = parts[0]?.length ?? 0;
  const out = new Float32Array(n);
  parts.forEach((z, k) => {
    if (z.length !== n) throw new Error('combineLogits: members gave different numbers of logits');
    const f = members[k].weight / members[k].temperature;
    for (let i = 0; i < n; i++) out[i] += f * z[i];
  });
  return out;
}

/** All weight vectors on the simplex with the given step (k members). */
export function simplexGrid(k: number, step: number): number[][] {
  const m = Math.round(1 / step);
  const out: number[][] = [];
  const rec = (prefix: number[], left: number) => {
    if (prefix.length === k - 1) {
      out.push([...prefix, left].map((x) => x / m));
      return;
    }
    for (let i = 0; i <= left; i++) rec([...prefix, i], left - i);
  };
  rec([], m);
  return out;
}

/** Member temperatures and simplex weights fitted on validation logits (minimum NLL). */
export function fitEnsemble(kinds: MemberKind[], parts: ArrayLike<number>[], labels: number[], step = 0.05): MemberWeight[] {
  const temps = parts.map((z) => fitTemperature(z, labels));
  let best = { loss: Infinity, weights: kinds.map(() => 1 / kinds.length) };
  for (const weights of simplexGrid(kinds.length, step)) {
    const z = combineLogits(parts, weights.map((weight, i) => ({ weight, temperature: temps[i] })));
    const loss = nll(z, labels, 1);
    if (loss < best.loss - 1e-12) best = { loss, weights };
  }
  return kinds.map((kind, i) => ({ kind, weight: best.weights[i], temperature: temps[i] }));
}
