#include "copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "thread_pool.h"

namespace ftn {

void strided_copy(const float* src, int64_t srcOffset, const int64_t* srcStrides, float* dst, int64_t dstOffset,
                  const int64_t* dstStrides, const int64_t* shape, int rank) {
  // Merge adjacent axes that stay contiguous on both sides, so a slice of whole rows is one long run.
  std::vector<int64_t> n, ss, ds;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    if (!n.empty() && ss.back() == srcStrides[d] * shape[d] && ds.back() == dstStrides[d] * shape[d]) {
      n.back() *= shape[d];
      ss.back() = srcStrides[d];
      ds.back() = dstStrides[d];
    } else {
      n.push_back(shape[d]);
      ss.push_back(srcStrides[d]);
      ds.push_back(dstStrides[d]);
    }
  }
  if (n.empty()) {
    dst[dstOffset] = src[srcOffset];
    return;
  }
  const int r = static_cast<int>(n.size());
  const int64_t inner = n[r - 1], si = ss[r - 1], di = ds[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; ++d) rows *= n[d];
  const int64_t per_task = std::max<int64_t>(1, (int64_t{1} << 15) / inner);
  parallel_for((rows + per_task - 1) / per_task, [&](int64_t task, int) {
    const int64_t r1 = std::min(rows, (task + 1) * per_task);
    for (int64_t row = task * per_task; row < r1; ++row) {
      int64_t so = srcOffset, dO = dstOffset, rem = row;
      for (int d = r - 2; d >= 0; --d) {
        const int64_t i = rem % n[d];
        rem /= n[d];
        so += i * ss[d];
        dO += i * ds[d];
      }
      const float* s = src + so;
      float* o = dst + dO;
      if (si == 1 && di == 1) {
        std::memcpy(o, s, static_cast<size_t>(inner) * sizeof(float));
      } else {
        for (int64_t j = 0; j < inner; ++j) o[j * di] = s[j * si];
      }
    }
  });
}

}  // namespace ftn
