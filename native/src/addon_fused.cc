// N-API entry points of the fused kernels (fused.h). Shapes come as rows × cols; every array length is
// checked against them before any memory is touched.
#include "fused.h"
#include "napi_args.h"

namespace ftn {
namespace {

// Reads `count` Float32Arrays at args.values[first...], each at least `need[i]` long.
bool floats_at(Args& args, size_t first, size_t count, float** out, const int64_t* need, const char* name) {
  for (size_t i = 0; i < count; ++i) {
    size_t length = 0;
    if (!typed(args.env, args.values[first + i], napi_float32_array, &out[i], &length, name)) return false;
    if (static_cast<int64_t>(length) < need[i]) return fail(args.env, std::string(name) + ": array lengths do not match the shape");
  }
  return true;
}

// geluTanh(x, y) / geluTanhGrad(dy, x, dx)
napi_value GeluTanh(napi_env env, napi_callback_info info) {
  Args args;
  float* a[2];
  size_t n = 0;
  if (!read_args(env, info, args, 2, "geluTanh") || !typed(env, args.values[0], napi_float32_array, &a[0], &n, "x")) return nullptr;
  const int64_t need[2] = {static_cast<int64_t>(n), static_cast<int64_t>(n)};
  if (!floats_at(args, 0, 2, a, need, "geluTanh")) return nullptr;
  gelu_tanh(a[0], a[1], static_cast<int64_t>(n));
  return nullptr;
}

napi_value GeluTanhGrad(napi_env env, napi_callback_info info) {
  Args args;
  float* a[3];
  size_t n = 0;
  if (!read_args(env, info, args, 3, "geluTanhGrad") || !typed(env, args.values[0], napi_float32_array, &a[0], &n, "dy")) return nullptr;
  const int64_t need[3] = {static_cast<int64_t>(n), static_cast<int64_t>(n), static_cast<int64_t>(n)};
  if (!floats_at(args, 0, 3, a, need, "geluTanhGrad")) return nullptr;
  gelu_tanh_grad(a[0], a[1], a[2], static_cast<int64_t>(n));
  return nullptr;
}

// layerNorm(x, gamma, beta, y, rows, cols, eps)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 7, "layerNorm")) return nullptr;
  const int64_t rows = integer(env, args.values[4]), cols = integer(env, args.values[5]);
  if (rows < 0 || cols < 1) return fail(env, "layerNorm: bad shape"), nullptr;
  float* a[4];
  const int64_t need[4] = {rows * cols, cols, cols, rows * cols};
  if (!floats_at(args, 0, 4, a, need, "layerNorm")) return nullptr;
  layer_norm(a[0], a[1], a[2], static_cast<float>(number(env, args.values[6])), a[3], rows, cols);
  return nullptr;
}

// layerNormGrad(dy, x, gamma, dx, dgamma, dbeta, rows, cols, eps)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 9, "layerNormGrad")) return nullptr;
  const int64_t rows = integer(env, args.values[6]), cols = integer(env, args.values[7]);
  if (rows < 0 || cols < 1) return fail(env, "layerNormGrad: bad shape"), nullptr;
  float* a[6];
  const int64_t need[6] = {rows * cols, rows * cols, cols, rows * cols, cols, cols};
  if (!floats_at(args, 0, 6, a, need, "layerNormGrad")) return nullptr;
  layer_norm_grad(a[0], a[1], a[2], static_cast<float>(number(env, args.values[8])), a[3], a[4], a[5], rows, cols);
  return nullptr;
}

// logSumExpRows(x, lse, rows, cols)
napi_value LogSumExpRows(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 4, "logSumExpRows")) return nullptr;
  const int64_t rows = integer(env, args.values[2]), cols = integer(env, args.values[3]);
  if (rows < 0 || cols < 1) return fail(env, "logSumExpRows: bad shape"), nullptr;
  float* a[2];
  const int64_t need[2] = {rows * cols, rows};
  if (!floats_at(args, 0, 2, a, need, "logSumExpRows")) return nullptr;
  logsumexp_rows(a[0], a[1], rows, cols);
  return nullptr;
}

// softmaxCrossEntropyGrad(x, lse, scale, dx, labels, rows, cols)
napi_value SoftmaxCrossEntropyGrad(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 7, "softmaxCrossEntropyGrad")) return nullptr;
  const int64_t rows = integer(env, args.values[5]), cols = integer(env, args.values[6]);
  if (rows < 0 || cols < 1) return fail(env, "softmaxCrossEntropyGrad: bad shape"), nullptr;
  float* a[4];
  const int64_t need[4] = {rows * cols, rows, rows, rows * cols};
  int32_t* labels = nullptr;
  size_t nl = 0;
  if (!floats_at(args, 0, 4, a, need, "softmaxCrossEntropyGrad") ||
      !typed(env, args.values[4], napi_int32_array, &labels, &nl, "labels")) {
    return nullptr;
  }
  if (static_cast<int64_t>(nl) < rows) return fail(env, "softmaxCrossEntropyGrad: one label per row"), nullptr;
  softmax_xent_grad(a[0], a[1], labels, a[2], a[3], rows, cols);
  return nullptr;
}

// adamStep(p, g, m, v, pOut, mOut, vOut, hyper (AdamStep's 9 floats in order), decoupled)
napi_value AdamStepCall(napi_env env, napi_callback_info info) {
  Args args;
  size_t n = 0;
  float* first = nullptr;
  if (!read_args(env, info, args, 9, "adamStep") || !typed(env, args.values[0], napi_float32_array, &first, &n, "p")) return nullptr;
  float* a[7];
  const int64_t len = static_cast<int64_t>(n);
  const int64_t need[7] = {len, len, len, len, len, len, len};
  float* h = nullptr;
  size_t lh = 0;
  if (!floats_at(args, 0, 7, a, need, "adamStep") || !typed(env, args.values[7], napi_float32_array, &h, &lh, "hyper")) return nullptr;
  if (lh < 9) return fail(env, "adamStep: 9 hyper-parameters expected"), nullptr;
  const AdamStep step{h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], boolean(env, args.values[8])};
  adam_step(step, a[0], a[1], a[2], a[3], a[4], a[5], a[6], len);
  return nullptr;
}

}  // namespace

void define_fused(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"geluTanh", nullptr, GeluTanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluTanhGrad", nullptr, GeluTanhGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"logSumExpRows", nullptr, LogSumExpRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStepCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropyGrad", nullptr, SoftmaxCrossEntropyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
}

}  // namespace ftn
