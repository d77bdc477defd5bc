/**
 * The project's one seeded PRNG: mulberry32 (fast, 32-bit state, good enough for
 * sampling, shuffling and synthetic data). Same seed, same sequence on every
 * machine, which is what makes the demo store and the trainings reproducible.
 * `Rng` is the one random-source type (a uniform draw); the trainers (core/mf TrainRng)
 * and the demo generator (core/demo DemoRng) add the draws they need on top of it,
 * and the bandit's normal, gamma and beta draws are below.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place, drawing from `rand`. Returns the same array. */
export function shuffleInPlace<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Gamma(shape, 1) for shape ≥ 1 by Marsaglia & Tsang, from the caller's uniform and
 * standard-normal draws (each sampler keeps its own streams, so its sequences stay its own).
 * Callers boost shape < 1 themselves: Gamma(a) = Gamma(a + 1) · U^(1/a).
 */
export function marsagliaTsang(shape: number, uniform: () => number, normal: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

// ---------- the random source of the copywriter and its bandits (Thompson sampling) ----------

/** A source of uniform draws in [0, 1): the one random-source type of the project. */
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
