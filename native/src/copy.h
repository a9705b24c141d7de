#pragma once
#include <cstdint>

namespace ftn {

// dst[dstOffset + Σ i_d·dstStrides[d]] = src[srcOffset + Σ i_d·srcStrides[d]] for every index i of shape.
// One primitive for transpose (permuted source strides), slice (source strides of the full tensor) and
// concat (destination strides of the full output): all are strided views of one side.
void strided_copy(const float* src, int64_t srcOffset, const int64_t* srcStrides, float* dst, int64_t dstOffset,
                  const int64_t* dstStrides, const int64_t* shape, int rank);

}  // namespace ftn
