/** A small seeded random source: uniform, normal, gamma and beta draws (for Thompson sampling). */
import { marsagliaTsang, mulberry32 } from '../util/random';

export interface Rng {
  next(): number;
}

/** mulberry32: fast, seeded, good enough for sampling. */
export function seededRng(seed: number): Rng {
  return { next: mulberry32(seed) };
}

export const mathRng: Rng = { next: () => Math.random() };

export function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (shape < 1 boosted). */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.next();
    return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  return marsagliaTsang(shape, () => rng.next(), () => normal(rng));
}

export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}
