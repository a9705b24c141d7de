// Fused forward and backward kernels for the hot spots of a training step that tfjs would otherwise run as
// chains of elementwise ops over large tensors: the tanh GELU, layer norm, the cross-entropy loss and the
// Adam update. One pass over memory each instead of five to fifteen.
#pragma once
#include <cstdint>

namespace ftn {

// y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
void gelu_tanh(const float* x, float* y, int64_t n);
// dx = dy · d/dx gelu_tanh(x)
void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n);

// Rows of x [rows, cols] normalised: y = (x − mean)·rstd·gamma + beta.
void layer_norm(const float* x, const float* gamma, const float* beta, float eps, float* y, int64_t rows, int64_t cols);
// dx, and dgamma/dbeta summed over rows. The row statistics are recomputed (one cheap pass) rather than kept
// from the forward: nothing but the input has to stay alive between the two.
void layer_norm_grad(const float* dy, const float* x, const float* gamma, float eps, float* dx, float* dgamma,
                     float* dbeta, int64_t rows, int64_t cols);

// lse[r] = log Σ_j exp(x[r, j])
void logsumexp_rows(const float* x, float* lse, int64_t rows, int64_t cols);
// dx[r, j] = (exp(x[r, j] − lse[r]) − [j == label[r]])·scale[r]
void softmax_xent_grad(const float* x, const float* lse, const int32_t* labels, const float* scale, float* dx,
                       int64_t rows, int64_t cols);

// One Adam/AdamW update of n values, in the order of optimizers/adam.ts's composed ops:
//   p' = decoupled ? p·keep : p  (keep = 1 − lr·wd);  g' = decoupled ? g : g + wd·p
//   m' = β1·m + (1 − β1)·g';  v' = β2·v + (1 − β2)·g'²
//   p'' = p' − (m' / (√v' / bc2 + eps))·step
// The constants come from JavaScript, computed in double and rounded once, as the composed ops' scalars are.
struct AdamStep {
  float keep, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, step_size, bias_correction2_sqrt;
  bool decoupled;
};
void adam_step(const AdamStep& s, const float* p, const float* g, const float* m, const float* v, float* p_out,
               float* m_out, float* v_out, int64_t n);

}  // namespace ftn
