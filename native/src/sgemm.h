#pragma once
#include <cstdint>

namespace ftn {

// C[b] = op(A[b % batchA]) · op(B[b % batchB]) for b in [0, batch), row-major, op = transpose when asked.
// A is M×K (K×M when transA), B is K×N (N×K when transB), C is M×N. Same broadcast rule as tfjs's cpu kernel.
void sgemm_batched(const float* A, const float* B, float* C, int64_t batchA, int64_t batchB, int64_t batch,
                   int64_t M, int64_t N, int64_t K, bool transA, bool transB);

// True when the SIMD micro-kernel is in use (false: the portable scalar one).
bool sgemm_uses_simd();
void sgemm_force_scalar(bool scalar);
const char* sgemm_isa();

}  // namespace ftn
