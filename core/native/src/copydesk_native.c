/*
 * Copydesk native accelerator: float32 kernels on top of the system BLAS
 * (OpenBLAS cblas_sgemm), called from the tfjs wasm backend's kernel registry.
 *
 * Every array argument is a Float32Array (usually a view into the wasm heap);
 * we use its data pointer only for the duration of the call.
 */
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef COPYDESK_OPENBLAS
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "copydesk_native: bad argument");       \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static int get_f32(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  size_t length, offset;
  void *ptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float *)ptr;
  if (len) *len = length;
  return 1;
}

static int get_i32(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static int get_f64(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

#define ARGS(n)                                                            \
  size_t argc = (n);                                                       \
  napi_value argv[(n)];                                                    \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));             \
  if (argc < (n)) {                                                        \
    napi_throw_error(env, NULL, "copydesk_native: too few arguments");     \
    return NULL;                                                           \
  }

#define F32(i, name)                                                       \
  float *name;                                                             \
  if (!get_f32(env, argv[i], &name, NULL)) {                               \
    napi_throw_type_error(env, NULL, "copydesk_native: expected Float32Array"); \
    return NULL;                                                           \
  }

#define I32(i, name)                                                       \
  int32_t name;                                                            \
  if (!get_i32(env, argv[i], &name)) {                                     \
    napi_throw_type_error(env, NULL, "copydesk_native: expected int");     \
    return NULL;                                                           \
  }

/*
 * exp without a libm call (Cephes-style polynomial, ~1 ulp on the clamped range), so that
 * GCC vectorises the loops that use it (glibc's expf is not vectorised here).
 */
static inline float fast_expf(float x0) {
  const float x = x0 < -87.3f ? -87.3f : (x0 > 88.3f ? 88.3f : x0);
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * r * r + r + 1.f;
  union { int32_t i; float f; } u;
  u.i = ((int32_t)n + 127) << 23;
  const float y = p * u.f;
  /* beyond float range: 0 and +inf like expf (NaN passes through the clamp unchanged) */
  return x0 < -87.3f ? 0.f : (x0 > 88.7f ? INFINITY : y);
}
static inline float fast_sigmoid(float x) { return 1.f / (1.f + fast_expf(-x)); }
static inline float fast_tanh(float x) {
  /* tanh x = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}): no cancellation near 0 beyond float eps */
  const float a = fabsf(x);
  const float e = fast_expf(-2.f * a);
  const float t = (1.f - e) / (1.f + e);
  return x < 0.f ? -t : t;
}

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_RELU6 = 3, ACT_ELU = 4, ACT_LEAKY = 5, ACT_TANH = 6 };

static inline float act_apply(int act, float v, float alpha) {
  switch (act) {
    case ACT_RELU: return v > 0.f ? v : 0.f;
    case ACT_SIGMOID: return fast_sigmoid(v);
    case ACT_RELU6: return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case ACT_ELU: return v >= 0.f ? v : expm1f(v);
    case ACT_LEAKY: return v >= 0.f ? v : alpha * v;
    case ACT_TANH: return fast_tanh(v);
    default: return v;
  }
}

/*
 * gemm(A, B, C, batch, M, N, K, transA, transB, strideA, strideB, strideC, bias|null, biasLen, act, alpha)
 * C[b] = act(op(A[b]) * op(B[b]) + bias), row-major; stride 0 broadcasts a batch operand.
 * biasLen: 0 (none), 1 (scalar) or N (per column).
 */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  ARGS(16);
  F32(0, A); F32(1, B); F32(2, C);
  I32(3, batch); I32(4, M); I32(5, N); I32(6, K); I32(7, transA); I32(8, transB);
  I32(9, strideA); I32(10, strideB); I32(11, strideC);
  float *bias = NULL;
  napi_valuetype bt;
  CHECK(napi_typeof(env, argv[12], &bt));
  if (bt != napi_null && bt != napi_undefined && !get_f32(env, argv[12], &bias, NULL)) {
    napi_throw_type_error(env, NULL, "copydesk_native: bias must be Float32Array or null");
    return NULL;
  }
  I32(13, biasLen); I32(14, act);
  double alphaD; if (!get_f64(env, argv[15], &alphaD)) alphaD = 0.2;
  float alpha = (float)alphaD;
  const int lda = transA ? M : K;
  const int ldb = transB ? K : N;
  for (int b = 0; b < batch; b++) {
    float *c = C + (size_t)b * strideC;
    if (K == 0) { memset(c, 0, sizeof(float) * (size_t)M * N); }
    else cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, 1.f, A + (size_t)b * strideA, lda, B + (size_t)b * strideB, ldb, 0.f, c, N);
    if (bias == NULL && act == ACT_LINEAR) continue;
    for (int i = 0; i < M; i++) {
      float *row = c + (size_t)i * N;
      if (bias != NULL) {
        if (biasLen == 1) { const float s = bias[0]; for (int j = 0; j < N; j++) row[j] += s; }
        else for (int j = 0; j < N; j++) row[j] += bias[j];
      }
      if (act != ACT_LINEAR) for (int j = 0; j < N; j++) row[j] = act_apply(act, row[j], alpha);
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- GRU ---- */
/*
 * Keras/tfjs GRU (reset_after = false), gate order z, r, h:
 *   z = f(xz + h U_z), r = f(xr + h U_r), hh = tanh(xh + (r*h) U_h), h' = z*h + (1-z)*hh
 * xp = x W + b is computed outside (one big matmul). f is sigmoid or hard sigmoid.
 */
static inline float gate_f(int hard, float v) {
  if (hard) { float y = 0.2f * v + 0.5f; return y < 0.f ? 0.f : (y > 1.f ? 1.f : y); }
  return fast_sigmoid(v);
}
static inline float gate_df(int hard, float y) {
  if (hard) return (y > 0.f && y < 1.f) ? 0.2f : 0.f;
  return y * (1.f - y);
}

/* gruForward(xp[B,T,3H], U[H,3H], h0[B,H], hseq[B,T,H] out, gates[B,T,3H] out, B, T, H, hard, reverse) */
static napi_value js_gru_forward(napi_env env, napi_callback_info info) {
  ARGS(10);
  F32(0, xp); F32(1, U); F32(2, h0); F32(3, hseq); F32(4, gates);
  I32(5, B); I32(6, T); I32(7, H); I32(8, hard); I32(9, reverse);
  const int H3 = 3 * H;
  float *rec = (float *)malloc(sizeof(float) * (size_t)B * 2 * H);
  float *rh = (float *)malloc(sizeof(float) * (size_t)B * H);
  float *rech = (float *)malloc(sizeof(float) * (size_t)B * H);
  if (!rec || !rh || !rech) { free(rec); free(rh); free(rech); napi_throw_error(env, NULL, "copydesk_native: out of memory"); return NULL; }
  for (int s = 0; s < T; s++) {
    const int t = reverse ? T - 1 - s : s;
    const int tp = reverse ? t + 1 : t - 1;
    const float *hprev = s == 0 ? h0 : hseq + (size_t)tp * H;
    const int ldh = s == 0 ? H : T * H;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, 2 * H, H, 1.f, hprev, ldh, U, H3, 0.f, rec, 2 * H);
    for (int b = 0; b < B; b++) {
      const float *x = xp + ((size_t)b * T + t) * H3;
      const float *hp = hprev + (size_t)b * ldh;
      float *g = gates + ((size_t)b * T + t) * H3;
      const float *rc = rec + (size_t)b * 2 * H;
      for (int j = 0; j < H; j++) {
        const float z = gate_f(hard, x[j] + rc[j]);
        const float r = gate_f(hard, x[H + j] + rc[H + j]);
        g[j] = z; g[H + j] = r;
        rh[(size_t)b * H + j] = r * hp[j];
      }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H, 1.f, rh, H, U + 2 * H, H3, 0.f, rech, H);
    for (int b = 0; b < B; b++) {
      const float *x = xp + ((size_t)b * T + t) * H3;
      const float *hp = hprev + (size_t)b * ldh;
      float *g = gates + ((size_t)b * T + t) * H3;
      float *h = hseq + ((size_t)b * T + t) * H;
      const float *rc = rech + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float hh = fast_tanh(x[2 * H + j] + rc[j]);
        const float z = g[j];
        g[2 * H + j] = hh;
        h[j] = z * hp[j] + (1.f - z) * hh;
      }
    }
  }
  free(rec); free(rh); free(rech);
  return NULL;
}

/*
 * gruBackward(dhseq[B,T,H], gates[B,T,3H], hseq[B,T,H], h0[B,H], U[H,3H],
 *             dxp[B,T,3H] out, dU[H,3H] out, dh0[B,H] out, B, T, H, hard, reverse)
 */
static napi_value js_gru_backward(napi_env env, napi_callback_info info) {
  ARGS(13);
  F32(0, dhseq); F32(1, gates); F32(2, hseq); F32(3, h0); F32(4, U);
  F32(5, dxp); F32(6, dU); F32(7, dh0);
  I32(8, B); I32(9, T); I32(10, H); I32(11, hard); I32(12, reverse);
  const int H3 = 3 * H;
  const size_t BT = (size_t)B * T;
  float *dh = (float *)malloc(sizeof(float) * (size_t)B * H);      /* running dL/dh_t */
  float *drh = (float *)malloc(sizeof(float) * (size_t)B * H);
  float *hprevAll = (float *)malloc(sizeof(float) * BT * H);       /* h_{t-1} for each (b,t) */
  float *rhAll = (float *)malloc(sizeof(float) * BT * H);          /* r_t * h_{t-1} */
  if (!dh || !drh || !hprevAll || !rhAll) {
    free(dh); free(drh); free(hprevAll); free(rhAll);
    napi_throw_error(env, NULL, "copydesk_native: out of memory"); return NULL;
  }
  memset(dh, 0, sizeof(float) * (size_t)B * H);
  for (int s = T - 1; s >= 0; s--) {
    const int t = reverse ? T - 1 - s : s;
    const int tp = reverse ? t + 1 : t - 1;
    for (int b = 0; b < B; b++) {
      const float *hp = s == 0 ? h0 + (size_t)b * H : hseq + ((size_t)b * T + tp) * H;
      const float *g = gates + ((size_t)b * T + t) * H3;
      const float *dy = dhseq + ((size_t)b * T + t) * H;
      float *dx = dxp + ((size_t)b * T + t) * H3;
      float *d = dh + (size_t)b * H;
      float *hpa = hprevAll + ((size_t)b * T + t) * H;
      float *rha = rhAll + ((size_t)b * T + t) * H;
      for (int j = 0; j < H; j++) {
        const float z = g[j], r = g[H + j], hh = g[2 * H + j];
        const float dd = d[j] + dy[j];
        d[j] = dd;
        dx[j] = dd * (hp[j] - hh) * gate_df(hard, z);
        dx[2 * H + j] = dd * (1.f - z) * (1.f - hh * hh);
        hpa[j] = hp[j];
        rha[j] = r * hp[j];
      }
    }
    /* d(r*h) = d(pre_hh) U_h^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, H, 1.f, dxp + (size_t)t * H3 + 2 * H, T * H3,
                U + 2 * H, H3, 0.f, drh, H);
    for (int b = 0; b < B; b++) {
      const float *hp = hprevAll + ((size_t)b * T + t) * H;
      const float *g = gates + ((size_t)b * T + t) * H3;
      float *dx = dxp + ((size_t)b * T + t) * H3;
      float *d = dh + (size_t)b * H;
      const float *dr = drh + (size_t)b * H;
      for (int j = 0; j < H; j++) {
        const float z = g[j], r = g[H + j];
        dx[H + j] = dr[j] * hp[j] * gate_df(hard, r);
        d[j] = d[j] * z + dr[j] * r;   /* direct paths to h_{t-1} */
      }
    }
    /* + [dz, dr] U_zr^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, 2 * H, 1.f, dxp + (size_t)t * H3, T * H3,
                U, H3, 1.f, dh, H);
  }
  memcpy(dh0, dh, sizeof(float) * (size_t)B * H);
  /* dU_zr = Hprev^T [dz dr], dU_h = RH^T dhh, summed over all (b, t) in one product each */
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, 2 * H, (int)BT, 1.f, hprevAll, H, dxp, H3, 0.f, dU, H3);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, (int)BT, 1.f, rhAll, H, dxp + 2 * H, H3, 0.f, dU + 2 * H, H3);
  free(dh); free(drh); free(hprevAll); free(rhAll);
  return NULL;
}

/* ------------------------------------------------ softmax cross-entropy ---- */
/*
 * sparseSoftmaxCE(logits[R,C], labels Float32Array[R], loss[R] out, probs[R,C] out|null)
 * loss_r = logsumexp(logits_r) - logits_r[label_r]; probs (if given) = softmax(logits).
 */
static napi_value js_softmax_ce(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, logits); F32(1, labels); F32(2, loss);
  float *probs = NULL;
  napi_valuetype pt;
  CHECK(napi_typeof(env, argv[3], &pt));
  if (pt != napi_null && pt != napi_undefined && !get_f32(env, argv[3], &probs, NULL)) {
    napi_throw_type_error(env, NULL, "copydesk_native: probs must be Float32Array or null"); return NULL;
  }
  I32(4, R); I32(5, C);
  for (int r = 0; r < R; r++) {
    const float *x = logits + (size_t)r * C;
    float m = x[0];
#pragma omp simd reduction(max : m)
    for (int j = 1; j < C; j++) m = x[j] > m ? x[j] : m;
    float s = 0.f;
    if (probs) {
      float *p = probs + (size_t)r * C;
#pragma omp simd reduction(+ : s)
      for (int j = 0; j < C; j++) { const float e = fast_expf(x[j] - m); p[j] = e; s += e; }
      const float inv = 1.f / s;
#pragma omp simd
      for (int j = 0; j < C; j++) p[j] *= inv;
    } else {
#pragma omp simd reduction(+ : s)
      for (int j = 0; j < C; j++) s += fast_expf(x[j] - m);
    }
    const int lab = (int)labels[r];
    const float xl = (lab >= 0 && lab < C) ? x[lab] : m;
    loss[r] = (lab >= 0 && lab < C) ? logf(s) + m - xl : 0.f;
  }
  return NULL;
}

/*
 * Keras sparse categorical cross-entropy on probabilities (tf.layers' own formula):
 *   p' = clip(p, eps, 1-eps); S = sum p'; q = clip(p'_y / S, eps, 1-eps); loss = -log q
 * kerasSparseCE(p[R,C], labels[R], loss[R] out, S[R] out, R, C, eps)
 */
static napi_value js_keras_sce(napi_env env, napi_callback_info info) {
  ARGS(7);
  F32(0, p); F32(1, labels); F32(2, loss); F32(3, sums);
  I32(4, R); I32(5, C);
  double epsD; if (!get_f64(env, argv[6], &epsD)) { napi_throw_type_error(env, NULL, "copydesk_native: eps"); return NULL; }
  const float lo = (float)epsD, hi = (float)(1.0 - epsD);
  for (int r = 0; r < R; r++) {
    const float *x = p + (size_t)r * C;
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < C; j++) { const float v = x[j] < lo ? lo : (x[j] > hi ? hi : x[j]); s += v; }
    sums[r] = s;
    const int lab = (int)floorf(labels[r]);
    if (lab < 0 || lab >= C) { loss[r] = 0.f; continue; }
    const float py = x[lab] < lo ? lo : (x[lab] > hi ? hi : x[lab]);
    float q = py / s;
    q = q < lo ? lo : (q > hi ? hi : q);
    loss[r] = -logf(q);
  }
  return NULL;
}

/* kerasSparseCEGrad(p, labels, S, dloss, dp out, R, C, eps): the exact gradient of the above */
static napi_value js_keras_sce_grad(napi_env env, napi_callback_info info) {
  ARGS(8);
  F32(0, p); F32(1, labels); F32(2, sums); F32(3, dloss); F32(4, dp);
  I32(5, R); I32(6, C);
  double epsD; if (!get_f64(env, argv[7], &epsD)) { napi_throw_type_error(env, NULL, "copydesk_native: eps"); return NULL; }
  const float lo = (float)epsD, hi = (float)(1.0 - epsD);
  for (int r = 0; r < R; r++) {
    const float *x = p + (size_t)r * C;
    float *d = dp + (size_t)r * C;
    const int lab = (int)floorf(labels[r]);
    const float s = sums[r];
    float py = 0.f, q = 0.f;
    if (lab >= 0 && lab < C) { py = x[lab] < lo ? lo : (x[lab] > hi ? hi : x[lab]); q = py / s; }
    if (lab < 0 || lab >= C || q < lo || q > hi) { memset(d, 0, sizeof(float) * (size_t)C); continue; }
    const float g = dloss[r] / s;
#pragma omp simd
    for (int j = 0; j < C; j++) d[j] = (x[j] >= lo && x[j] <= hi) ? g : 0.f;
    if (x[lab] >= lo && x[lab] <= hi) d[lab] -= dloss[r] / py;
  }
  return NULL;
}

/* sparseSoftmaxCEGrad(probs[R,C], labels[R], dloss[R], dlogits[R,C] out, R, C): (p - onehot) * dloss */
static napi_value js_softmax_ce_grad(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, probs); F32(1, labels); F32(2, dloss); F32(3, dlogits);
  I32(4, R); I32(5, C);
  for (int r = 0; r < R; r++) {
    const float *p = probs + (size_t)r * C;
    float *d = dlogits + (size_t)r * C;
    const float g = dloss[r];
    const int lab = (int)labels[r];
    if (lab < 0 || lab >= C) { memset(d, 0, sizeof(float) * (size_t)C); continue; }
    for (int j = 0; j < C; j++) d[j] = p[j] * g;
    d[lab] -= g;
  }
  return NULL;
}

/* --------------------------------------------------------- reductions ---- */
/* sumRows(x[outer, inner], out[inner]): sum over the leading axis (e.g. a bias gradient). */
static napi_value js_sum_leading(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  I32(2, outer); I32(3, inner);
  memset(out, 0, sizeof(float) * (size_t)inner);
  for (int i = 0; i < outer; i++) {
    const float *row = x + (size_t)i * inner;
    for (int j = 0; j < inner; j++) out[j] += row[j];
  }
  return NULL;
}

/* sumTrailing(x[outer, inner], out[outer]): sum over the trailing axis. */
static napi_value js_sum_trailing(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  I32(2, outer); I32(3, inner);
  for (int i = 0; i < outer; i++) {
    const float *row = x + (size_t)i * inner;
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < inner; j++) s += row[j];
    out[i] = s;
  }
  return NULL;
}

/* segmentSum(x[rows, inner], ids Int32Array|Float32Array [rows], out[numSegments, inner]) */
static napi_value js_segment_sum(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, x); F32(2, out);
  I32(3, rows); I32(4, inner); I32(5, numSegments);
  napi_typedarray_type type; size_t length, offset; void *ids; napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &ids, &ab, &offset) != napi_ok ||
      (type != napi_int32_array && type != napi_float32_array)) {
    napi_throw_type_error(env, NULL, "copydesk_native: ids must be Int32Array or Float32Array"); return NULL;
  }
  memset(out, 0, sizeof(float) * (size_t)numSegments * inner);
  for (int r = 0; r < rows; r++) {
    const int seg = type == napi_int32_array ? ((const int32_t *)ids)[r] : (int)((const float *)ids)[r];
    if (seg < 0 || seg >= numSegments) continue;
    float *o = out + (size_t)seg * inner;
    const float *src = x + (size_t)r * inner;
    for (int j = 0; j < inner; j++) o[j] += src[j];
  }
  return NULL;
}

/* gatherRows(x[nRows, inner], ids Int32Array [n], out[n, inner], n, inner, nRows): out-of-range rows → 0 */
static napi_value js_gather_rows(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, x); F32(2, out);
  I32(3, n); I32(4, inner); I32(5, nRows);
  napi_typedarray_type type; size_t length, offset; void *ids; napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &ids, &ab, &offset) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "copydesk_native: ids must be Int32Array"); return NULL;
  }
  for (int i = 0; i < n; i++) {
    const int r = ((const int32_t *)ids)[i];
    float *o = out + (size_t)i * inner;
    if (r < 0 || r >= nRows) memset(o, 0, sizeof(float) * (size_t)inner);
    else memcpy(o, x + (size_t)r * inner, sizeof(float) * (size_t)inner);
  }
  return NULL;
}

/* sqrtArr(x, out, n) */
static napi_value js_sqrt(napi_env env, napi_callback_info info) {
  ARGS(3);
  F32(0, x); F32(1, out);
  I32(2, n);
  for (int i = 0; i < n; i++) out[i] = sqrtf(x[i]);
  return NULL;
}

/*
 * adam(value, m, v, g, outValue, outM, outV, n, [beta1, beta2, 1-beta1, 1-beta2, 1-accBeta1, 1-accBeta2, lr, eps])
 * One pass of tfjs's AdamOptimizer update (same formula and operation order).
 */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  ARGS(9);
  F32(0, val); F32(1, m); F32(2, v); F32(3, g); F32(4, oval); F32(5, om); F32(6, ov);
  I32(7, n);
  float *h;
  if (!get_f32(env, argv[8], &h, NULL)) { napi_throw_type_error(env, NULL, "copydesk_native: adam hyper-parameters must be a Float32Array"); return NULL; }
  const float b1 = h[0], b2 = h[1], omb1 = h[2], omb2 = h[3], omab1 = h[4], omab2 = h[5], nlr = -h[6], eps = h[7];
  for (int i = 0; i < n; i++) {
    const float gi = g[i];
    const float nm = m[i] * b1 + gi * omb1;
    const float nv = v[i] * b2 + (gi * gi) * omb2;
    om[i] = nm; ov[i] = nv;
    const float mh = nm / omab1, vh = nv / omab2;
    oval[i] = (mh / (sqrtf(vh) + eps)) * nlr + val[i];
  }
  return NULL;
}

/* ------------------------------------------------------- elementwise ---- */
enum { U_EXP = 0, U_LOG = 1, U_TANH = 2, U_SIGMOID = 3 };

/* unary(x, out, n, op) */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  I32(2, n); I32(3, op);
  switch (op) {
    case U_EXP: for (int i = 0; i < n; i++) out[i] = fast_expf(x[i]); break;
    case U_LOG: for (int i = 0; i < n; i++) out[i] = logf(x[i]); break;
    case U_TANH: for (int i = 0; i < n; i++) out[i] = fast_tanh(x[i]); break;
    case U_SIGMOID: for (int i = 0; i < n; i++) out[i] = fast_sigmoid(x[i]); break;
    default: napi_throw_error(env, NULL, "copydesk_native: unknown unary op"); return NULL;
  }
  return NULL;
}

/* maxTrailing(x[outer, inner], out[outer]) */
static napi_value js_max_trailing(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  I32(2, outer); I32(3, inner);
  for (int i = 0; i < outer; i++) {
    const float *row = x + (size_t)i * inner;
    float m = row[0];
#pragma omp simd reduction(max : m)
    for (int j = 1; j < inner; j++) m = row[j] > m ? row[j] : m;
    out[i] = m;
  }
  return NULL;
}

/*
 * binary(a, b, out, R, C, op, mode): out[R, C] = a op b, where each operand is either the full
 * [R, C] array (F), a scalar (S), a per-row [R] array (ROW, broadcast along C) or a per-column
 * [C] array (COL, broadcast along R). mode = modeA * 4 + modeB with F=0, S=1, ROW=2, COL=3.
 */
enum { B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3 };
#define BIN_LOOP(EXPR)                                                     \
  for (int r = 0; r < R; r++) {                                            \
    float *o = out + (size_t)r * C;                                        \
    const float *pa = a + (ma == 0 ? (size_t)r * C : ma == 2 ? (size_t)r : 0); \
    const float *pb = b + (mb == 0 ? (size_t)r * C : mb == 2 ? (size_t)r : 0); \
    if (ma == 0 && mb == 0) { for (int j = 0; j < C; j++) { const float x = pa[j], y = pb[j]; o[j] = EXPR; } } \
    else if (ma == 0 && mb == 3) { for (int j = 0; j < C; j++) { const float x = pa[j], y = pb[j]; o[j] = EXPR; } } \
    else if (ma == 3 && mb == 0) { for (int j = 0; j < C; j++) { const float x = pa[j], y = pb[j]; o[j] = EXPR; } } \
    else if (ma == 0) { const float y = pb[0]; for (int j = 0; j < C; j++) { const float x = pa[j]; o[j] = EXPR; } } \
    else if (mb == 0) { const float x = pa[0]; for (int j = 0; j < C; j++) { const float y = pb[j]; o[j] = EXPR; } } \
    else { for (int j = 0; j < C; j++) { const float x = pa[ma == 3 ? j : 0], y = pb[mb == 3 ? j : 0]; o[j] = EXPR; } } \
  }

static napi_value js_binary(napi_env env, napi_callback_info info) {
  ARGS(7);
  F32(0, a); F32(1, b); F32(2, out);
  I32(3, R); I32(4, C); I32(5, op); I32(6, mode);
  const int ma = mode / 4, mb = mode % 4;
  switch (op) {
    case B_ADD: BIN_LOOP(x + y); break;
    case B_SUB: BIN_LOOP(x - y); break;
    case B_MUL: BIN_LOOP(x * y); break;
    case B_DIV: BIN_LOOP(x / y); break;
    default: napi_throw_error(env, NULL, "copydesk_native: unknown binary op"); return NULL;
  }
  return NULL;
}

/* softmax(x[R, C], out[R, C]) over the last axis */
static napi_value js_softmax(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  I32(2, R); I32(3, C);
  for (int r = 0; r < R; r++) {
    const float *xr = x + (size_t)r * C;
    float *o = out + (size_t)r * C;
    float m = xr[0];
#pragma omp simd reduction(max : m)
    for (int j = 1; j < C; j++) m = xr[j] > m ? xr[j] : m;
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < C; j++) { const float e = fast_expf(xr[j] - m); o[j] = e; s += e; }
    const float inv = 1.f / s;
#pragma omp simd
    for (int j = 0; j < C; j++) o[j] *= inv;
  }
  return NULL;
}

/* clipGrad(x, dy, out, n, min, max): dy where min <= x <= max, else 0 (tfjs's ClipByValue gradient) */
static napi_value js_clip_grad(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, x); F32(1, dy); F32(2, out);
  I32(3, n);
  double lo, hi;
  if (!get_f64(env, argv[4], &lo) || !get_f64(env, argv[5], &hi)) { napi_throw_type_error(env, NULL, "copydesk_native: clip bounds"); return NULL; }
  const float l = (float)lo, h = (float)hi;
  for (int i = 0; i < n; i++) out[i] = (x[i] >= l && x[i] <= h) ? dy[i] : 0.f;
  return NULL;
}

/* ------------------------------------------------------------ threads ---- */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  I32(0, n);
#ifdef COPYDESK_OPENBLAS
  if (n > 0) openblas_set_num_threads(n);
#else
  (void)n;
#endif
  return NULL;
}

static napi_value js_get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef COPYDESK_OPENBLAS
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
#else
  CHECK(napi_create_int32(env, 1, &out));
#endif
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
    {"gruForward", NULL, js_gru_forward, NULL, NULL, NULL, napi_default, NULL},
    {"gruBackward", NULL, js_gru_backward, NULL, NULL, NULL, napi_default, NULL},
    {"softmaxCrossEntropy", NULL, js_softmax_ce, NULL, NULL, NULL, napi_default, NULL},
    {"softmaxCrossEntropyGrad", NULL, js_softmax_ce_grad, NULL, NULL, NULL, napi_default, NULL},
    {"sumLeading", NULL, js_sum_leading, NULL, NULL, NULL, napi_default, NULL},
    {"sumTrailing", NULL, js_sum_trailing, NULL, NULL, NULL, napi_default, NULL},
    {"segmentSum", NULL, js_segment_sum, NULL, NULL, NULL, napi_default, NULL},
    {"gatherRows", NULL, js_gather_rows, NULL, NULL, NULL, napi_default, NULL},
    {"sqrt", NULL, js_sqrt, NULL, NULL, NULL, napi_default, NULL},
    {"adam", NULL, js_adam, NULL, NULL, NULL, napi_default, NULL},
    {"unary", NULL, js_unary, NULL, NULL, NULL, napi_default, NULL},
    {"maxTrailing", NULL, js_max_trailing, NULL, NULL, NULL, napi_default, NULL},
    {"binary", NULL, js_binary, NULL, NULL, NULL, napi_default, NULL},
    {"kerasSparseCE", NULL, js_keras_sce, NULL, NULL, NULL, napi_default, NULL},
    {"kerasSparseCEGrad", NULL, js_keras_sce_grad, NULL, NULL, NULL, napi_default, NULL},
    {"softmax", NULL, js_softmax, NULL, NULL, NULL, napi_default, NULL},
    {"clipGrad", NULL, js_clip_grad, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"getThreads", NULL, js_get_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
