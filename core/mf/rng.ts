/** A small seeded PRNG (mulberry32) and the draws the trainers need, so runs are reproducible. */
import { marsagliaTsang, mulberry32, type Rng } from '../util/random';

/** The trainers' random source (an Rng with integer, normal, shuffle and gamma draws). */
export class TrainRng implements Rng {
  private spare: number | undefined;
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed = 42) {
    this.next = mulberry32(seed >>> 0 || 0x9e3779b9);
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Shuffles in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  /** Gamma(shape, 1) (Marsaglia–Tsang), for the Bayesian sampler. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next() || 1e-12, 1 / shape);
    return marsagliaTsang(shape, this.next, () => this.normal());
  }
}

/** A Float64Array of n normal draws with standard deviation `std`. */
export function normalArray(rng: TrainRng, n: number, std: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
  return a;
}
