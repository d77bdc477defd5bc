/** Tiny dense linear algebra on row-major K×K Float64Arrays (K ≤ a few dozen). */

/** In-place lower Cholesky factor of a symmetric positive-definite matrix A (upper triangle zeroed). */
export function cholesky(A: Float64Array, K: number): Float64Array {
  for (let j = 0; j < K; j++) {
    let d = A[j * K + j];
    for (let k = 0; k < j; k++) d -= A[j * K + k] * A[j * K + k];
    if (d <= 0) d = 1e-10;
    const ljj = Math.sqrt(d);
    A[j * K + j] = ljj;
    for (let i = j + 1; i < K; i++) {
      let s = A[i * K + j];
      for (let k = 0; k < j; k++) s -= A[i * K + k] * A[j * K + k];
      A[i * K + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) A[i * K + j] = 0;
  }
  return A;
}

/** Solves L y = b (L lower), in place on b. */
export function forwardSolve(L: Float64Array, K: number, b: Float64Array): Float64Array {
  for (let i = 0; i < K; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * K + k] * b[k];
    b[i] = s / L[i * K + i];
  }
  return b;
}

/** Solves Lᵀ x = y (L lower), in place on y. */
export function backSolve(L: Float64Array, K: number, y: Float64Array): Float64Array {
  for (let i = K - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < K; k++) s -= L[k * K + i] * y[k];
    y[i] = s / L[i * K + i];
  }
  return y;
}

/** Inverse of a symmetric positive-definite matrix. */
export function spdInverse(A: Float64Array, K: number): Float64Array {
  const L = cholesky(A.slice(), K);
  const inv = new Float64Array(K * K);
  const e = new Float64Array(K);
  for (let c = 0; c < K; c++) {
    e.fill(0);
    e[c] = 1;
    backSolve(L, K, forwardSolve(L, K, e));
    for (let r = 0; r < K; r++) inv[r * K + c] = e[r];
  }
  return inv;
}
