#pragma once
#include <cstdint>

namespace ftn {

// Codes shared with src-engine/native/kernels.ts (binaryOps, unaryOps, reduceOps).
enum class Binary { Add = 0, Sub, Mul, Div, Pow, SquaredDifference };
enum class Unary { Exp = 0, Log, Tanh, Neg, Sqrt, Rsqrt, Square, Sigmoid, Relu, Abs, Erf };
enum class Reduce { Sum = 0, Mean, Max };

// out = a op b with numpy broadcasting; shapes are right-aligned, out has rank outRank.
void binary(Binary op, const float* a, const int32_t* aShape, int aRank, const float* b, const int32_t* bShape,
            int bRank, float* out, const int32_t* outShape, int outRank);
void unary(Unary op, const float* x, float* out, int64_t n);
// x viewed as [outer, mid, inner]: out[o, i] = reduce over mid.
void reduce(Reduce op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner);

}  // namespace ftn
