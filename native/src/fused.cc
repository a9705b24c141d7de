#include "fused.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fast_math.h"
#include "thread_pool.h"

namespace ftn {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;
constexpr int64_t kGrain = 1 << 15;

// Rows split into tasks of about kGrain elements.
template <typename F>
void for_rows(int64_t rows, int64_t cols, F f) {
  const int64_t per_task = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
  parallel_for((rows + per_task - 1) / per_task, [&](int64_t task, int) {
    const int64_t r1 = std::min(rows, (task + 1) * per_task);
    for (int64_t r = task * per_task; r < r1; ++r) f(r);
  });
}

}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) {
  parallel_for((n + kGrain - 1) / kGrain, [&](int64_t task, int) {
    const int64_t i1 = std::min(n, (task + 1) * kGrain);
    for (int64_t i = task * kGrain; i < i1; ++i) {
      const float v = x[i];
      y[i] = 0.5f * v * (1.f + fast_tanh(kSqrt2OverPi * (v + kCubic * v * v * v)));
    }
  });
}

void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n) {
  parallel_for((n + kGrain - 1) / kGrain, [&](int64_t task, int) {
    const int64_t i1 = std::min(n, (task + 1) * kGrain);
    for (int64_t i = task * kGrain; i < i1; ++i) {
      const float v = x[i];
      const float t = fast_tanh(kSqrt2OverPi * (v + kCubic * v * v * v));
      const float inner = kSqrt2OverPi * (1.f + 3.f * kCubic * v * v);
      dx[i] = dy[i] * (0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * inner);
    }
  });
}

// Mean and 1/√(variance + eps) of one row, two passes in double as tf.moments (no E[x²] − E[x]² cancellation).
inline void row_stats(const float* in, int64_t cols, float eps, float& mean, float& rstd) {
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) sum += in[j];
  mean = static_cast<float>(sum / static_cast<double>(cols));
  double sq = 0.0;
  for (int64_t j = 0; j < cols; ++j) sq += static_cast<double>((in[j] - mean) * (in[j] - mean));
  rstd = 1.f / std::sqrt(static_cast<float>(sq / static_cast<double>(cols)) + eps);
}

void layer_norm(const float* x, const float* gamma, const float* beta, float eps, float* y, int64_t rows, int64_t cols) {
  for_rows(rows, cols, [&](int64_t r) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    float m, s;
    row_stats(in, cols, eps, m, s);
    for (int64_t j = 0; j < cols; ++j) out[j] = (in[j] - m) * s * gamma[j] + beta[j];
  });
}

void layer_norm_grad(const float* dy, const float* x, const float* gamma, float eps, float* dx, float* dgamma,
                     float* dbeta, int64_t rows, int64_t cols) {
  std::vector<float> mean(static_cast<size_t>(rows)), rstd(static_cast<size_t>(rows));
  for_rows(rows, cols, [&](int64_t r) {
    const float* g = dy + r * cols;
    const float* in = x + r * cols;
    float m, s;
    row_stats(in, cols, eps, m, s);
    mean[r] = m;
    rstd[r] = s;
    // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·gamma and x̂ the normalised input
    double sum_g = 0.0, sum_gx = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      const float gh = g[j] * gamma[j];
      sum_g += gh;
      sum_gx += gh * ((in[j] - m) * s);
    }
    const float mg = static_cast<float>(sum_g / static_cast<double>(cols));
    const float mgx = static_cast<float>(sum_gx / static_cast<double>(cols));
    float* out = dx + r * cols;
    for (int64_t j = 0; j < cols; ++j) out[j] = s * (g[j] * gamma[j] - mg - (in[j] - m) * s * mgx);
  });
  // Column sums over rows: split the columns, never the rows, so no two tasks write the same value.
  const int64_t chunk = 64;
  parallel_for((cols + chunk - 1) / chunk, [&](int64_t task, int) {
    const int64_t j0 = task * chunk, j1 = std::min(cols, j0 + chunk);
    double dg[64] = {}, db[64] = {};
    for (int64_t r = 0; r < rows; ++r) {
      const float* g = dy + r * cols;
      const float* in = x + r * cols;
      const float m = mean[r], s = rstd[r];
      for (int64_t j = j0; j < j1; ++j) {
        dg[j - j0] += g[j] * ((in[j] - m) * s);
        db[j - j0] += g[j];
      }
    }
    for (int64_t j = j0; j < j1; ++j) {
      dgamma[j] = static_cast<float>(dg[j - j0]);
      dbeta[j] = static_cast<float>(db[j - j0]);
    }
  });
}

void logsumexp_rows(const float* x, float* lse, int64_t rows, int64_t cols) {
  for_rows(rows, cols, [&](int64_t r) {
    const float* in = x + r * cols;
    const float m = row_max(in, cols);
    // A NaN anywhere comes through the sum (fast_exp keeps NaN); a max of ±∞ needs the plain formula.
    if (!std::isfinite(m)) {
      double s = 0.0;
      for (int64_t j = 0; j < cols; ++j) s += std::exp(static_cast<double>(in[j]));
      lse[r] = static_cast<float>(std::log(s));
      return;
    }
    lse[r] = m + static_cast<float>(std::log(row_sum_exp(in, cols, m, nullptr)));
  });
}

void softmax_xent_grad(const float* x, const float* lse, const int32_t* labels, const float* scale, float* dx,
                       int64_t rows, int64_t cols) {
  for_rows(rows, cols, [&](int64_t r) {
    const float* in = x + r * cols;
    float* out = dx + r * cols;
    const float l = lse[r], k = scale[r];
    for (int64_t j = 0; j < cols; ++j) out[j] = fast_exp(in[j] - l) * k;
    const int32_t y = labels[r];
    if (y >= 0 && y < cols) out[y] = (fast_exp(in[y] - l) - 1.f) * k;
  });
}

void adam_step(const AdamStep& s, const float* p, const float* g, const float* m, const float* v, float* p_out,
               float* m_out, float* v_out, int64_t n) {
  parallel_for((n + kGrain - 1) / kGrain, [&](int64_t task, int) {
    const int64_t i1 = std::min(n, (task + 1) * kGrain);
    for (int64_t i = task * kGrain; i < i1; ++i) {
      float param = p[i], grad = g[i];
      if (s.weight_decay != 0.f) {
        if (s.decoupled) param = param * s.keep;
        else grad = grad + param * s.weight_decay;
      }
      const float mn = m[i] * s.beta1 + grad * s.one_minus_beta1;
      const float vn = v[i] * s.beta2 + grad * grad * s.one_minus_beta2;
      const float denom = std::sqrt(vn) / s.bias_correction2_sqrt + s.eps;
      m_out[i] = mn;
      v_out[i] = vn;
      p_out[i] = param - mn / denom * s.step_size;
    }
  });
}

}  // namespace ftn
