#pragma once
#include <cstdint>

namespace ftn {

// Softmax over the last axis of a rows×cols matrix.
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols);

// out[ids[i], :] += x[i, :] (rows with an id outside [0, segments) are dropped, as in TensorFlow).
void segment_sum(const float* x, const int32_t* ids, float* out, int64_t count, int64_t inner, int64_t segments);

}  // namespace ftn
