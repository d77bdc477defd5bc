/** Shared helpers for the runtime/native parity tests: seeded random data and diffs. */
import { expect } from 'chai';

/** Deterministic pseudo-random numbers (mulberry32) so both backends see the same data. */
import { mulberry32 as rng } from '../core/util/random';

export { rng };

export function randArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
