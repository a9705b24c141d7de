// Blocked SGEMM in the Goto/BLIS layout: B is packed into K×NR panels shared by all threads, each thread
// packs its own MR×K panels of A, and a register-blocked micro-kernel computes MR×NR tiles. Packing reads
// through strides, so every transpose combination costs the same as the plain product.
#include "sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "thread_pool.h"

namespace ftn {
namespace {

#if defined(__GNUC__) || defined(__clang__)
#define FTN_VECTOR 1
#if defined(__AVX512F__)
constexpr int VW = 16;
#elif defined(__AVX__)
constexpr int VW = 8;
#else
constexpr int VW = 4;  // SSE/NEON, or lowered to scalar code by the compiler
#endif
typedef float vfloat __attribute__((vector_size(VW * 4)));
typedef float vfloat_u __attribute__((vector_size(VW * 4), aligned(4)));
#else
constexpr int VW = 8;
#endif

// Rows per tile: 2·MR accumulators plus 2 B vectors must fit the register file (32 with AVX-512, else 16).
constexpr int MR = VW == 16 ? 12 : 6;
constexpr int NR = 2 * VW;
constexpr int64_t KC = 256;
constexpr int64_t MC = MR * 24;
constexpr int64_t NC = NR * 64;

bool force_scalar = std::getenv("FINETUNE_STUDIO_NATIVE_SCALAR") != nullptr;

// 64-byte aligned scratch, one per worker and role, grown on demand and kept.
struct Scratch {
  float* data = nullptr;
  size_t size = 0;
  float* get(size_t n) {
    if (n <= size) return data;
    std::free(data);
    const size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
#if defined(_MSC_VER)
    data = static_cast<float*>(_aligned_malloc(bytes, 64));
#else
    data = static_cast<float*>(std::aligned_alloc(64, bytes));
#endif
    size = n;
    return data;
  }
};
std::vector<Scratch> a_scratch, b_scratch;

Scratch& scratch(std::vector<Scratch>& pool, int worker) {
  // Resized only between parallel regions (below), never while workers hold pointers.
  return pool[static_cast<size_t>(worker)];
}

// Operand views: element (row, col) of op(X) wherever X lies in memory.
struct View {
  const float* p;
  int64_t rs, cs;  // strides of op(X)'s rows and columns
  float at(int64_t r, int64_t c) const { return p[r * rs + c * cs]; }
};

// A block (mc×kc) → panels of MR rows: panel i holds, for each p, MR consecutive values; short panels are 0-padded.
void pack_a(const View& a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* out) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - ir);
    for (int64_t p = 0; p < kc; ++p) {
      float* dst = out + ir * kc + p * MR;
      for (int64_t r = 0; r < rows; ++r) dst[r] = a.at(i0 + ir + r, p0 + p);
      for (int64_t r = rows; r < MR; ++r) dst[r] = 0.f;
    }
  }
}

// One NR-column panel of a B block: for each p, NR consecutive values, 0-padded.
void pack_b_panel(const View& b, int64_t p0, int64_t kc, int64_t j0, int64_t cols, float* out) {
  if (b.cs == 1) {
    for (int64_t p = 0; p < kc; ++p) {
      float* dst = out + p * NR;
      std::memcpy(dst, b.p + (p0 + p) * b.rs + j0, static_cast<size_t>(cols) * sizeof(float));
      for (int64_t c = cols; c < NR; ++c) dst[c] = 0.f;
    }
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    float* dst = out + p * NR;
    for (int64_t c = 0; c < cols; ++c) dst[c] = b.at(p0 + p, j0 + c);
    for (int64_t c = cols; c < NR; ++c) dst[c] = 0.f;
  }
}

// Writes (or adds) an MR×NR tile held in acc into C, clipped to rows×cols.
inline void store_tile(const float* acc, float* c, int64_t ldc, int64_t rows, int64_t cols, bool add) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    const float* src = acc + r * NR;
    if (add) {
      for (int64_t j = 0; j < cols; ++j) row[j] += src[j];
    } else {
      std::memcpy(row, src, static_cast<size_t>(cols) * sizeof(float));
    }
  }
}

void kernel_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows, int64_t cols,
                   bool add) {
  float acc[MR * NR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* ap = a + p * MR;
    const float* bp = b + p * NR;
    for (int r = 0; r < MR; ++r) {
      const float av = ap[r];
      for (int j = 0; j < NR; ++j) acc[r * NR + j] += av * bp[j];
    }
  }
  store_tile(acc, c, ldc, rows, cols, add);
}

#if FTN_VECTOR
void kernel_simd(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows, int64_t cols,
                 bool add) {
  vfloat acc[MR][2] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const vfloat b0 = *reinterpret_cast<const vfloat*>(b + p * NR);
    const vfloat b1 = *reinterpret_cast<const vfloat*>(b + p * NR + VW);
    const float* ap = a + p * MR;
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      // scalar × vector: the compiler broadcasts straight from memory (no shuffle on the FMA port)
      acc[r][0] += ap[r] * b0;
      acc[r][1] += ap[r] * b1;
    }
  }
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; ++r) {
      vfloat_u* row = reinterpret_cast<vfloat_u*>(c + r * ldc);
      if (add) {
        row[0] += acc[r][0];
        row[1] += acc[r][1];
      } else {
        row[0] = acc[r][0];
        row[1] = acc[r][1];
      }
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int r = 0; r < MR; ++r) {
    std::memcpy(tile + r * NR, &acc[r][0], sizeof(vfloat));
    std::memcpy(tile + r * NR + VW, &acc[r][1], sizeof(vfloat));
  }
  store_tile(tile, c, ldc, rows, cols, add);
}
#endif

using Kernel = void (*)(int64_t, const float*, const float*, float*, int64_t, int64_t, int64_t, bool);

Kernel micro_kernel() {
#if FTN_VECTOR
  if (!force_scalar) return kernel_simd;
#endif
  return kernel_scalar;
}

// One MC block of rows against a packed B block: pack A, then every tile.
void macro_block(const View& a, const float* bpack, float* c, int64_t ldc, int64_t i0, int64_t mc, int64_t p0,
                 int64_t kc, int64_t j0, int64_t nc, float* apack, Kernel kernel) {
  pack_a(a, i0, mc, p0, kc, apack);
  const bool add = p0 > 0;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const float* bp = bpack + jr * kc;
    const int64_t cols = std::min<int64_t>(NR, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      kernel(kc, apack + ir * kc, bp, c + (i0 + ir) * ldc + j0 + jr, ldc, std::min<int64_t>(MR, mc - ir), cols, add);
    }
  }
}

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// One product on one thread (used when the batch itself is split across threads).
void gemm_serial(const View& a, const View& b, float* c, int64_t M, int64_t N, int64_t K, int worker) {
  const Kernel kernel = micro_kernel();
  float* apack = scratch(a_scratch, worker).get(static_cast<size_t>(MC * KC));
  float* bpack = scratch(b_scratch, worker).get(static_cast<size_t>(KC * NC));
  for (int64_t j0 = 0; j0 < N; j0 += NC) {
    const int64_t nc = std::min(NC, N - j0);
    for (int64_t p0 = 0; p0 < K; p0 += KC) {
      const int64_t kc = std::min(KC, K - p0);
      for (int64_t jr = 0; jr < nc; jr += NR) {
        pack_b_panel(b, p0, kc, j0 + jr, std::min<int64_t>(NR, nc - jr), bpack + jr * kc);
      }
      for (int64_t i0 = 0; i0 < M; i0 += MC) {
        macro_block(a, bpack, c, N, i0, std::min(MC, M - i0), p0, kc, j0, nc, apack, kernel);
      }
    }
  }
}

// One product on all threads: B panels are packed in parallel, then row blocks are shared out.
void gemm_parallel(const View& a, const View& b, float* c, int64_t M, int64_t N, int64_t K) {
  const Kernel kernel = micro_kernel();
  const int64_t workers = threads();
  const int64_t mc = std::min(MC, std::max<int64_t>(MR, round_up((M + workers - 1) / workers, MR)));
  float* bpack = scratch(b_scratch, 0).get(static_cast<size_t>(KC * NC));
  for (int64_t j0 = 0; j0 < N; j0 += NC) {
    const int64_t nc = std::min(NC, N - j0);
    const int64_t panels = (nc + NR - 1) / NR;
    for (int64_t p0 = 0; p0 < K; p0 += KC) {
      const int64_t kc = std::min(KC, K - p0);
      parallel_for(panels, [&](int64_t panel, int) {
        const int64_t jr = panel * NR;
        pack_b_panel(b, p0, kc, j0 + jr, std::min<int64_t>(NR, nc - jr), bpack + jr * kc);
      });
      parallel_for((M + mc - 1) / mc, [&](int64_t block, int worker) {
        const int64_t i0 = block * mc;
        float* apack = scratch(a_scratch, worker).get(static_cast<size_t>(MC * KC));
        macro_block(a, bpack, c, N, i0, std::min(mc, M - i0), p0, kc, j0, nc, apack, kernel);
      });
    }
  }
}

// M == 1 (a token at a time when generating): a vector-matrix product; packing would cost more than it saves.
void gemv(const float* a, const View& b, float* c, int64_t N, int64_t K, bool split) {
  const int64_t chunk = 256;
  const int64_t chunks = (N + chunk - 1) / chunk;
  auto run = [&](int64_t ch, int) {
    const int64_t j0 = ch * chunk, j1 = std::min(N, j0 + chunk);
    if (b.cs == 1) {  // rows of B are contiguous: accumulate a[p]·B[p, j0:j1]
      float* out = c + j0;
      std::fill(out, out + (j1 - j0), 0.f);
      for (int64_t p = 0; p < K; ++p) {
        const float av = a[p];
        const float* row = b.p + p * b.rs + j0;
        for (int64_t j = 0; j < j1 - j0; ++j) out[j] += av * row[j];
      }
    } else {  // columns of B are contiguous (transB): dot products
      for (int64_t j = j0; j < j1; ++j) {
        const float* col = b.p + j * b.cs;
        float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
        int64_t p = 0;
        for (; p + 4 <= K; p += 4) {
          s0 += a[p] * col[p];
          s1 += a[p + 1] * col[p + 1];
          s2 += a[p + 2] * col[p + 2];
          s3 += a[p + 3] * col[p + 3];
        }
        for (; p < K; ++p) s0 += a[p] * col[p];
        c[j] = (s0 + s1) + (s2 + s3);
      }
    }
  };
  if (split) {
    parallel_for(chunks, run);
  } else {
    for (int64_t ch = 0; ch < chunks; ++ch) run(ch, 0);
  }
}

View view_a(const float* A, int64_t M, int64_t K, bool transA) {
  (void)M;
  return transA ? View{A, 1, M} : View{A, K, 1};
}
View view_b(const float* B, int64_t N, int64_t K, bool transB) {
  return transB ? View{B, 1, K} : View{B, N, 1};
}

void gemm_one(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t K, bool transA, bool transB,
              int worker, bool split) {
  if (K == 0) {
    std::fill(C, C + M * N, 0.f);
    return;
  }
  const View b = view_b(B, N, K, transB);
  if (M == 1 && !force_scalar) {
    gemv(A, b, C, N, K, split);  // op(A) of one row is contiguous either way
    return;
  }
  const View a = view_a(A, M, K, transA);
  if (split) {
    gemm_parallel(a, b, C, M, N, K);
  } else {
    gemm_serial(a, b, C, M, N, K, worker);
  }
}

}  // namespace

void sgemm_batched(const float* A, const float* B, float* C, int64_t batchA, int64_t batchB, int64_t batch,
                   int64_t M, int64_t N, int64_t K, bool transA, bool transB) {
  if (M == 0 || N == 0 || batch == 0) return;
  const size_t workers = static_cast<size_t>(threads());
  if (a_scratch.size() < workers) a_scratch.resize(workers);
  if (b_scratch.size() < workers) b_scratch.resize(workers);
  const int64_t flops = M * N * K;
  auto item = [&](int64_t bi, int worker, bool split) {
    gemm_one(A + (bi % batchA) * M * K, B + (bi % batchB) * K * N, C + bi * M * N, M, N, K, transA, transB, worker,
             split);
  };
  // Small products in a batch (attention heads): one product per task. Large ones: split each product.
  const bool per_item = batch >= static_cast<int64_t>(workers) && (flops < (int64_t{1} << 22) || batch >= 4 * static_cast<int64_t>(workers));
  const bool worth_threads = flops * batch >= (int64_t{1} << 15);
  if (per_item && worth_threads) {
    parallel_for(batch, [&](int64_t bi, int worker) { item(bi, worker, false); });
    return;
  }
  for (int64_t bi = 0; bi < batch; ++bi) item(bi, 0, worth_threads && workers > 1);
}

bool sgemm_uses_simd() {
#if FTN_VECTOR
  return !force_scalar;
#else
  return false;
#endif
}

void sgemm_force_scalar(bool scalar) { force_scalar = scalar; }

const char* sgemm_isa() {
#if FTN_VECTOR && defined(__AVX512F__)
  return "AVX-512";
#elif FTN_VECTOR && defined(__AVX2__)
  return "AVX2";
#elif FTN_VECTOR && defined(__AVX__)
  return "AVX";
#elif FTN_VECTOR && (defined(__SSE2__) || defined(__ARM_NEON))
  return "128-bit SIMD";
#else
  return "scalar";
#endif
}

}  // namespace ftn
