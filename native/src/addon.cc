// N-API entry points. Every function takes typed arrays owned by JavaScript (tfjs's cpu-style tensor storage)
// and writes into a preallocated output array: no copies cross the boundary.
#include <node_api.h>

#include <cstdint>
#include <vector>

#include "copy.h"
#include "napi_args.h"
#include "elementwise.h"
#include "rows.h"
#include "sgemm.h"
#include "thread_pool.h"

namespace {

using ftn::Args;
using ftn::boolean;
using ftn::fail;
using ftn::integer;
using ftn::read_args;
using ftn::typed;

// matmul(a, b, out, batchA, batchB, batch, M, N, K, transA, transB)
napi_value Matmul(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 11, "matmul")) return nullptr;
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!typed(env, args.values[0], napi_float32_array, &a, &la, "a") ||
      !typed(env, args.values[1], napi_float32_array, &b, &lb, "b") ||
      !typed(env, args.values[2], napi_float32_array, &c, &lc, "out")) {
    return nullptr;
  }
  const int64_t batchA = integer(env, args.values[3]), batchB = integer(env, args.values[4]);
  const int64_t batch = integer(env, args.values[5]), M = integer(env, args.values[6]);
  const int64_t N = integer(env, args.values[7]), K = integer(env, args.values[8]);
  if (batchA < 1 || batchB < 1 || batch < 1 || M < 0 || N < 0 || K < 0 ||
      static_cast<int64_t>(la) < batchA * M * K || static_cast<int64_t>(lb) < batchB * K * N ||
      static_cast<int64_t>(lc) < batch * M * N) {
    fail(env, "matmul: array lengths do not match the shapes");
    return nullptr;
  }
  ftn::sgemm_batched(a, b, c, batchA, batchB, batch, M, N, K, boolean(env, args.values[9]),
                     boolean(env, args.values[10]));
  return nullptr;
}

// softmax(x, out, rows, cols)
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 4, "softmax")) return nullptr;
  float *x, *out;
  size_t lx, lo;
  if (!typed(env, args.values[0], napi_float32_array, &x, &lx, "x") ||
      !typed(env, args.values[1], napi_float32_array, &out, &lo, "out")) {
    return nullptr;
  }
  const int64_t rows = integer(env, args.values[2]), cols = integer(env, args.values[3]);
  if (rows < 0 || cols < 1 || static_cast<int64_t>(lx) < rows * cols || static_cast<int64_t>(lo) < rows * cols) {
    fail(env, "softmax: array lengths do not match the shape");
    return nullptr;
  }
  ftn::softmax_rows(x, out, rows, cols);
  return nullptr;
}

// segmentSum(x, ids, out, inner, segments)
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 5, "segmentSum")) return nullptr;
  float *x, *out;
  int32_t* ids;
  size_t lx, li, lo;
  if (!typed(env, args.values[0], napi_float32_array, &x, &lx, "x") ||
      !typed(env, args.values[1], napi_int32_array, &ids, &li, "segmentIds") ||
      !typed(env, args.values[2], napi_float32_array, &out, &lo, "out")) {
    return nullptr;
  }
  const int64_t inner = integer(env, args.values[3]), segments = integer(env, args.values[4]);
  if (inner < 0 || segments < 0 || static_cast<int64_t>(lx) < static_cast<int64_t>(li) * inner ||
      static_cast<int64_t>(lo) < segments * inner) {
    fail(env, "segmentSum: array lengths do not match the shapes");
    return nullptr;
  }
  ftn::segment_sum(x, ids, out, static_cast<int64_t>(li), inner, segments);
  return nullptr;
}

bool shape_of(napi_env env, napi_value value, int32_t** dims, size_t* rank, const char* what) {
  return typed(env, value, napi_int32_array, dims, rank, what);
}

int64_t volume(const int32_t* dims, size_t rank) {
  int64_t n = 1;
  for (size_t d = 0; d < rank; ++d) n *= dims[d];
  return n;
}

// binary(op, a, aShape, b, bShape, out, outShape): numpy broadcasting, float32.
napi_value Binary(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 7, "binary")) return nullptr;
  float *a, *b, *out;
  int32_t *as, *bs, *os;
  size_t la, lb, lo, ra, rb, ro;
  if (!typed(env, args.values[1], napi_float32_array, &a, &la, "a") ||
      !shape_of(env, args.values[2], &as, &ra, "aShape") ||
      !typed(env, args.values[3], napi_float32_array, &b, &lb, "b") ||
      !shape_of(env, args.values[4], &bs, &rb, "bShape") ||
      !typed(env, args.values[5], napi_float32_array, &out, &lo, "out") ||
      !shape_of(env, args.values[6], &os, &ro, "outShape")) {
    return nullptr;
  }
  const int64_t op = integer(env, args.values[0]);
  bool ok = op >= 0 && op <= 5 && ra <= ro && rb <= ro && static_cast<int64_t>(la) == volume(as, ra) &&
            static_cast<int64_t>(lb) == volume(bs, rb) && static_cast<int64_t>(lo) == volume(os, ro);
  for (size_t d = 0; ok && d < ro; ++d) {
    const int32_t n = os[d];
    const int32_t an = d + ra >= ro ? as[d + ra - ro] : 1, bn = d + rb >= ro ? bs[d + rb - ro] : 1;
    ok = (an == n || an == 1) && (bn == n || bn == 1);
  }
  if (!ok) {
    fail(env, "binary: shapes do not broadcast to the output shape");
    return nullptr;
  }
  ftn::binary(static_cast<ftn::Binary>(op), a, as, static_cast<int>(ra), b, bs, static_cast<int>(rb), out, os,
              static_cast<int>(ro));
  return nullptr;
}

// unary(op, x, out)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 3, "unary")) return nullptr;
  float *x, *out;
  size_t lx, lo;
  if (!typed(env, args.values[1], napi_float32_array, &x, &lx, "x") ||
      !typed(env, args.values[2], napi_float32_array, &out, &lo, "out")) {
    return nullptr;
  }
  const int64_t op = integer(env, args.values[0]);
  if (op < 0 || op > 10 || lx != lo) {
    fail(env, "unary: unknown op or lengths differ");
    return nullptr;
  }
  ftn::unary(static_cast<ftn::Unary>(op), x, out, static_cast<int64_t>(lx));
  return nullptr;
}

// reduce(op, x, out, outer, mid, inner)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 6, "reduce")) return nullptr;
  float *x, *out;
  size_t lx, lo;
  if (!typed(env, args.values[1], napi_float32_array, &x, &lx, "x") ||
      !typed(env, args.values[2], napi_float32_array, &out, &lo, "out")) {
    return nullptr;
  }
  const int64_t op = integer(env, args.values[0]), outer = integer(env, args.values[3]);
  const int64_t mid = integer(env, args.values[4]), inner = integer(env, args.values[5]);
  if (op < 0 || op > 2 || outer < 0 || mid < 0 || inner < 0 || static_cast<int64_t>(lx) != outer * mid * inner ||
      static_cast<int64_t>(lo) != outer * inner) {
    fail(env, "reduce: array lengths do not match the shape");
    return nullptr;
  }
  ftn::reduce(static_cast<ftn::Reduce>(op), x, out, outer, mid, inner);
  return nullptr;
}

// copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape): a strided view copied into another.
napi_value Copy(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 7, "copy")) return nullptr;
  float *src, *dst;
  int32_t *ss, *ds, *shape;
  size_t ls, ld, rs, rd, rank;
  if (!typed(env, args.values[0], napi_float32_array, &src, &ls, "src") ||
      !shape_of(env, args.values[2], &ss, &rs, "srcStrides") ||
      !typed(env, args.values[3], napi_float32_array, &dst, &ld, "dst") ||
      !shape_of(env, args.values[5], &ds, &rd, "dstStrides") || !shape_of(env, args.values[6], &shape, &rank, "shape")) {
    return nullptr;
  }
  const int64_t so = integer(env, args.values[1]), dO = integer(env, args.values[4]);
  // Every index the view reaches must lie inside its array: offset + Σ (n−1)·stride, strides non-negative.
  int64_t s_last = so, d_last = dO;
  bool ok = rs == rank && rd == rank && so >= 0 && dO >= 0;
  bool empty = false;
  std::vector<int64_t> n(rank), sst(rank), dst_strides(rank);
  for (size_t d = 0; ok && d < rank; ++d) {
    ok = shape[d] >= 0 && ss[d] >= 0 && ds[d] >= 0;
    if (shape[d] == 0) empty = true;
    n[d] = shape[d];
    sst[d] = ss[d];
    dst_strides[d] = ds[d];
    if (shape[d] > 0) {
      s_last += (shape[d] - int64_t{1}) * ss[d];
      d_last += (shape[d] - int64_t{1}) * ds[d];
    }
  }
  if (!ok || (!empty && (s_last >= static_cast<int64_t>(ls) || d_last >= static_cast<int64_t>(ld)))) {
    fail(env, "copy: the strided view reaches outside an array");
    return nullptr;
  }
  if (!empty) ftn::strided_copy(src, so, sst.data(), dst, dO, dst_strides.data(), n.data(), static_cast<int>(rank));
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1, "setThreads")) return nullptr;
  ftn::set_threads(static_cast<int>(integer(env, args.values[0])));
  return nullptr;
}

napi_value SetScalar(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1, "setScalar")) return nullptr;
  ftn::sgemm_force_scalar(boolean(env, args.values[0]));
  return nullptr;
}

// info() → { threads, simd, isa }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, threads, simd, isa;
  napi_create_object(env, &out);
  napi_create_int32(env, ftn::threads(), &threads);
  napi_get_boolean(env, ftn::sgemm_uses_simd(), &simd);
  napi_create_string_utf8(env, ftn::sgemm_isa(), NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, out, "threads", threads);
  napi_set_named_property(env, out, "simd", simd);
  napi_set_named_property(env, out, "isa", isa);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"segmentSum", nullptr, SegmentSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copy", nullptr, Copy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setScalar", nullptr, SetScalar, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  ftn::define_fused(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
