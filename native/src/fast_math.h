// Branch-free float exp and tanh that vectorise inside the kernels' loops.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ftn {

// expf in the Cephes way (range reduction by ln 2, degree-6 polynomial, 2^n through the exponent bits in two
// halves so that the ends of the range, overflow near 88.72 and subnormals below -87.3, come out right),
// written branch-free so loops over it vectorise; within 2 ulp of std::exp, NaN stays NaN.
inline float fast_exp(float x) {
  const float in = x;
  x = x < 88.7228393f ? x : 88.7228393f;
  x = x > -103.972f ? x : -103.972f;
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  x = x - n * 0.693359375f + n * 2.12194440e-4f;
  const float z = x * x;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  const int32_t bits1 = (half + 127) << 23, bits2 = (ni - half + 127) << 23;
  float scale1, scale2;
  std::memcpy(&scale1, &bits1, sizeof scale1);
  std::memcpy(&scale2, &bits2, sizeof scale2);
  y = y * scale1 * scale2;
  y = in > 88.7228393f ? INFINITY : y;
  y = in < -103.972f ? 0.f : y;
  return in != in ? in : y;
}

// tanh through exp of a non-positive argument (no overflow); the sign is put back at the end.
// Near 0, where 1 − e cancels, Cephes' odd polynomial instead.
inline float fast_tanh(float x) {
  const float ax = std::fabs(x);
  const float e = fast_exp(-2.f * ax);
  float t = (1.f - e) / (1.f + e);
  t = x < 0.f ? -t : t;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  return ax < 0.625f ? small : t;
}

// Row reductions in kLanes independent partial results: one running max or sum is a serial dependency that
// keeps the compiler from vectorising (the exp-sum runs ~8x slower that way).
constexpr int kLanes = 16;

// max of in[0..n), NaN ignored (NaN > x is false): callers that must propagate NaN check for it themselves.
inline float row_max(const float* in, int64_t n) {
  float part[kLanes];
  for (int l = 0; l < kLanes; ++l) part[l] = -INFINITY;
  const int64_t whole = n / kLanes * kLanes;
  for (int64_t j = 0; j < whole; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) part[l] = in[j + l] > part[l] ? in[j + l] : part[l];
  }
  float m = -INFINITY;
  for (int l = 0; l < kLanes; ++l) m = part[l] > m ? part[l] : m;
  for (int64_t j = whole; j < n; ++j) m = in[j] > m ? in[j] : m;
  return m;
}

// Σ exp(in[j] − m), summed in double across lanes; when out is given it receives each exp(in[j] − m).
inline double row_sum_exp(const float* in, int64_t n, float m, float* out) {
  float part[kLanes] = {};
  const int64_t whole = n / kLanes * kLanes;
  for (int64_t j = 0; j < whole; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const float e = fast_exp(in[j + l] - m);
      if (out) out[j + l] = e;
      part[l] += e;
    }
  }
  double s = 0.0;
  for (int l = 0; l < kLanes; ++l) s += part[l];
  for (int64_t j = whole; j < n; ++j) {
    const float e = fast_exp(in[j] - m);
    if (out) out[j] = e;
    s += e;
  }
  return s;
}

}  // namespace ftn
