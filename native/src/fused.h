// Fused forward and backward kernels for the three hot spots of a training step that tfjs would otherwise
// run as chains of elementwise ops over large tensors: the tanh GELU, layer norm and the cross-entropy loss.
// One pass over memory each instead of five to fifteen.
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

}  // namespace ftn
