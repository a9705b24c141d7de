// Elementwise and reduction kernels. Broadcasting is reduced to "rows" of the innermost
// (collapsed) dimension, where each operand is either contiguous or a repeated scalar, so the inner loops are
// plain arrays the compiler vectorises.
#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "fast_math.h"
#include "thread_pool.h"

namespace ftn {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per task: below this threads cost more than they save

// Powers the models use (x³ in GELU, x² in its gradient) exactly as repeated products.
inline float power(float x, float y) {
  if (y == 2.f) return x * x;
  if (y == 3.f) return x * x * x;
  if (y == 1.f) return x;
  return std::pow(x, y);
}

template <typename F>
inline void rows3(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else {
    const float v = f(a[0], b[0]);
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  }
}

template <typename F>
void run_binary(const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
                const std::vector<int64_t>& as, const std::vector<int64_t>& bs, F f) {
  const int rank = static_cast<int>(shape.size());
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  const int64_t rows_per_task = std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1));
  parallel_for((rows + rows_per_task - 1) / rows_per_task, [&](int64_t task, int) {
    const int64_t r0 = task * rows_per_task, r1 = std::min(rows, r0 + rows_per_task);
    for (int64_t r = r0; r < r1; ++r) {
      int64_t ao = 0, bo = 0, rem = r;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        ao += idx * as[d];
        bo += idx * bs[d];
      }
      rows3(a + ao, as[rank - 1], b + bo, bs[rank - 1], out + r * inner, inner, f);
    }
  });
}

}  // namespace

void binary(Binary op, const float* a, const int32_t* aShape, int aRank, const float* b, const int32_t* bShape,
            int bRank, float* out, const int32_t* outShape, int outRank) {
  // Right-align the operands, give broadcast axes stride 0, then merge axes that stay contiguous together.
  std::vector<int64_t> shape, as, bs;
  int64_t astride = 1, bstride = 1;
  std::vector<int64_t> ra(outRank), rb(outRank);
  for (int d = outRank - 1; d >= 0; --d) {
    const int ad = d - (outRank - aRank), bd = d - (outRank - bRank);
    const int64_t an = ad >= 0 ? aShape[ad] : 1, bn = bd >= 0 ? bShape[bd] : 1;
    ra[d] = an == 1 ? 0 : astride;
    rb[d] = bn == 1 ? 0 : bstride;
    astride *= an;
    bstride *= bn;
  }
  for (int d = 0; d < outRank; ++d) {
    const int64_t n = outShape[d];
    if (n == 1) continue;
    if (!shape.empty() && as.back() == ra[d] * n && bs.back() == rb[d] * n) {
      shape.back() *= n;
      as.back() = ra[d];
      bs.back() = rb[d];
    } else {
      shape.push_back(n);
      as.push_back(ra[d]);
      bs.push_back(rb[d]);
    }
  }
  if (shape.empty()) {
    shape = {1};
    as = {1};
    bs = {1};
  }
  int64_t total = 1;
  for (int64_t n : shape) total *= n;
  if (total == 0) return;
  // A stride-0 inner axis has to be 0 or 1 for rows3; larger inner strides never survive the merge above.
  switch (op) {
    case Binary::Add: run_binary(a, b, out, shape, as, bs, [](float x, float y) { return x + y; }); break;
    case Binary::Sub: run_binary(a, b, out, shape, as, bs, [](float x, float y) { return x - y; }); break;
    case Binary::Mul: run_binary(a, b, out, shape, as, bs, [](float x, float y) { return x * y; }); break;
    case Binary::Div: run_binary(a, b, out, shape, as, bs, [](float x, float y) { return x / y; }); break;
    case Binary::Pow: run_binary(a, b, out, shape, as, bs, [](float x, float y) { return power(x, y); }); break;
    case Binary::SquaredDifference:
      run_binary(a, b, out, shape, as, bs, [](float x, float y) { return (x - y) * (x - y); });
      break;
  }
}

template <typename F>
static void run_unary(const float* x, float* out, int64_t n, F f) {
  parallel_for((n + kGrain - 1) / kGrain, [&](int64_t task, int) {
    const int64_t i1 = std::min(n, (task + 1) * kGrain);
    for (int64_t i = task * kGrain; i < i1; ++i) out[i] = f(x[i]);
  });
}

void unary(Unary op, const float* x, float* out, int64_t n) {
  switch (op) {
    case Unary::Exp: run_unary(x, out, n, [](float v) { return fast_exp(v); }); break;
    case Unary::Log: run_unary(x, out, n, [](float v) { return std::log(v); }); break;
    case Unary::Tanh: run_unary(x, out, n, [](float v) { return fast_tanh(v); }); break;
    case Unary::Neg: run_unary(x, out, n, [](float v) { return -v; }); break;
    case Unary::Sqrt: run_unary(x, out, n, [](float v) { return std::sqrt(v); }); break;
    case Unary::Rsqrt: run_unary(x, out, n, [](float v) { return 1.f / std::sqrt(v); }); break;
    case Unary::Square: run_unary(x, out, n, [](float v) { return v * v; }); break;
    case Unary::Sigmoid: run_unary(x, out, n, [](float v) { return 1.f / (1.f + fast_exp(-v)); }); break;
    case Unary::Relu: run_unary(x, out, n, [](float v) { return v < 0.f ? 0.f : v; }); break;
    case Unary::Abs: run_unary(x, out, n, [](float v) { return std::fabs(v); }); break;
    case Unary::Erf: run_unary(x, out, n, [](float v) { return std::erf(v); }); break;
  }
}

void reduce(Reduce op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner) {
  const bool max = op == Reduce::Max;
  const double scale = op == Reduce::Mean && mid > 0 ? 1.0 / static_cast<double>(mid) : 1.0;
  if (inner == 1) {  // reduce contiguous rows (the last axis)
    const int64_t per_task = std::max<int64_t>(1, kGrain / std::max<int64_t>(mid, 1));
    parallel_for((outer + per_task - 1) / per_task, [&](int64_t task, int) {
      const int64_t o1 = std::min(outer, (task + 1) * per_task);
      for (int64_t o = task * per_task; o < o1; ++o) {
        const float* row = x + o * mid;
        if (max) {
          float m = -INFINITY;
          for (int64_t i = 0; i < mid; ++i) m = (row[i] > m || std::isnan(row[i])) ? row[i] : m;
          out[o] = m;
        } else {
          double s = 0.0;
          for (int64_t i = 0; i < mid; ++i) s += row[i];
          out[o] = static_cast<float>(s * scale);
        }
      }
    });
    return;
  }
  // Reduce a leading or middle axis: accumulate whole inner rows; split the inner axis across threads.
  const int64_t chunk = 256;
  parallel_for(outer * ((inner + chunk - 1) / chunk), [&](int64_t task, int) {
    const int64_t chunks = (inner + chunk - 1) / chunk;
    const int64_t o = task / chunks, j0 = (task % chunks) * chunk, j1 = std::min(inner, j0 + chunk);
    const int64_t width = j1 - j0;
    float* dst = out + o * inner + j0;
    if (max) {
      std::fill(dst, dst + width, -INFINITY);
      for (int64_t m = 0; m < mid; ++m) {
        const float* src = x + (o * mid + m) * inner + j0;
        for (int64_t j = 0; j < width; ++j) dst[j] = (src[j] > dst[j] || std::isnan(src[j])) ? src[j] : dst[j];
      }
      return;
    }
    double acc[256] = {};
    for (int64_t m = 0; m < mid; ++m) {
      const float* src = x + (o * mid + m) * inner + j0;
      for (int64_t j = 0; j < width; ++j) acc[j] += src[j];
    }
    for (int64_t j = 0; j < width; ++j) dst[j] = static_cast<float>(acc[j] * scale);
  });
}

}  // namespace ftn
