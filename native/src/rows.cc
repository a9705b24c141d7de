#include "rows.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fast_math.h"
#include "thread_pool.h"

namespace ftn {

void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols) {
  const int64_t per_task = std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(cols, 1));
  parallel_for((rows + per_task - 1) / per_task, [&](int64_t task, int) {
    const int64_t r1 = std::min(rows, (task + 1) * per_task);
    for (int64_t r = task * per_task; r < r1; ++r) {
      const float* in = x + r * cols;
      float* o = out + r * cols;
      const float inv = static_cast<float>(1.0 / row_sum_exp(in, cols, row_max(in, cols), o));
      for (int64_t j = 0; j < cols; ++j) o[j] *= inv;
    }
  });
}

void segment_sum(const float* x, const int32_t* ids, float* out, int64_t count, int64_t inner, int64_t segments) {
  std::memset(out, 0, static_cast<size_t>(segments * inner) * sizeof(float));
  // Split the inner axis, not the rows: two rows may share an id, columns never collide.
  const int64_t chunk = 64;
  parallel_for((inner + chunk - 1) / chunk, [&](int64_t task, int) {
    const int64_t j0 = task * chunk, j1 = std::min(inner, j0 + chunk);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t s = ids[i];
      if (s < 0 || s >= segments) continue;
      const float* src = x + i * inner;
      float* dst = out + s * inner;
      for (int64_t j = j0; j < j1; ++j) dst[j] += src[j];
    }
  });
}

}  // namespace ftn
