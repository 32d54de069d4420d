#include "cpu/gemm_blocked.h"

#include <algorithm>
#include <vector>

namespace kiln::kernels::cpu {

namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// A rows x depth matrix read through strides, so both operands and their
// transposes pack with the same code.
struct View {
  const float* data;
  int64_t rowStride, colStride;
  float at(int64_t r, int64_t c) const { return data[r * rowStride + c * colStride]; }
};

// Packs rows [r0, r0 + rows) x depth [p0, p0 + depth) of `m` (rows x depth)
// into panels of `width` rows: panel-major, then depth, then
// the width rows side by side. Rows past the end are zeros, so the
// micro-kernel always runs full tiles.
void pack(const View& m, int64_t r0, int64_t rows, int64_t p0, int64_t depth,
          int64_t width, float* out) {
  for (int64_t panel = 0; panel < rows; panel += width) {
    const int64_t valid = std::min(width, rows - panel);
    for (int64_t p = 0; p < depth; ++p) {
      for (int64_t w = 0; w < width; ++w) {
        const int64_t r = r0 + panel + w, k = p0 + p;
        *out++ = w < valid ? m.at(r, k) : 0.f;
      }
    }
  }
}

// tile[MR x NR] (row stride ldt) += a panel (depth x MR) times a b panel
// (depth x NR). Fixed tile sizes let the compiler keep acc in vector
// registers and vectorize the j loop.
void microKernel(int64_t depth, const float* a, const float* b, float* tile, int64_t ldt) {
  float acc[kGemmMR][kGemmNR];
#pragma GCC unroll 16
  for (int64_t i = 0; i < kGemmMR; ++i) {
#pragma GCC unroll 16
    for (int64_t j = 0; j < kGemmNR; ++j) acc[i][j] = tile[i * ldt + j];
  }
  for (int64_t p = 0; p < depth; ++p) {
#pragma GCC unroll 16
    for (int64_t i = 0; i < kGemmMR; ++i) {
      const float ai = a[i];
#pragma GCC unroll 16
      for (int64_t j = 0; j < kGemmNR; ++j) acc[i][j] += ai * b[j];
    }
    a += kGemmMR;
    b += kGemmNR;
  }
#pragma GCC unroll 16
  for (int64_t i = 0; i < kGemmMR; ++i) {
#pragma GCC unroll 16
    for (int64_t j = 0; j < kGemmNR; ++j) tile[i * ldt + j] = acc[i][j];
  }
}

struct Scratch {
  int64_t mc, nc, kc;  // block sizes clipped to the problem
  int64_t packA() const { return roundUp(mc, kGemmMR) * kc; }
  int64_t packB() const { return roundUp(nc, kGemmNR) * kc; }
  int64_t tile() const { return roundUp(mc, kGemmMR) * roundUp(nc, kGemmNR); }
};

Scratch scratchFor(const GemmParams& p) {
  return {std::min(p.m, kGemmMC), std::min(p.n, kGemmNC), std::min(p.k, kGemmKC)};
}

}  // namespace

int64_t gemmBlockedScratchBytes(const GemmParams& p) {
  const Scratch s = scratchFor(p);
  return (s.packA() + s.packB() + s.tile()) * int64_t(sizeof(float));
}

void gemmBlocked(const GemmParams& p, const float* a, const float* b, float* c) {
  const Scratch s = scratchFor(p);
  std::vector<float> buffer(size_t(s.packA() + s.packB() + s.tile()));
  float* packedA = buffer.data();
  float* packedB = packedA + s.packA();
  float* tile = packedB + s.packB();
  // op(A) is M x K: rows are i, depth is k. op(B) is K x N: its "rows" in
  // pack() are the columns j, its depth k.
  const View va = p.transA ? View{a, 1, p.lda} : View{a, p.lda, 1};
  const View vb = p.transB ? View{b, p.ldb, 1} : View{b, 1, p.ldb};
  for (int64_t j0 = 0; j0 < p.n; j0 += kGemmNC) {
    const int64_t nc = std::min(kGemmNC, p.n - j0), ldt = roundUp(nc, kGemmNR);
    for (int64_t i0 = 0; i0 < p.m; i0 += kGemmMC) {
      const int64_t mc = std::min(kGemmMC, p.m - i0);
      std::fill(tile, tile + roundUp(mc, kGemmMR) * ldt, 0.f);
      // K innermost among the blocks: the tile holds each sum across slices.
      for (int64_t k0 = 0; k0 < p.k; k0 += kGemmKC) {
        const int64_t kc = std::min(kGemmKC, p.k - k0);
        pack(va, i0, mc, k0, kc, kGemmMR, packedA);
        pack(vb, j0, nc, k0, kc, kGemmNR, packedB);
        for (int64_t jr = 0; jr < nc; jr += kGemmNR) {
          for (int64_t ir = 0; ir < mc; ir += kGemmMR) {
            microKernel(kc, packedA + ir * kc, packedB + jr * kc, tile + ir * ldt + jr, ldt);
          }
        }
      }
      const float alpha = float(p.alpha), beta = float(p.beta);
      for (int64_t i = 0; i < mc; ++i) {
        float* ci = c + (i0 + i) * p.ldc + j0;
        const float* ti = tile + i * ldt;
        if (beta == 0.f) {
          for (int64_t j = 0; j < nc; ++j) ci[j] = alpha * ti[j];
        } else {
          for (int64_t j = 0; j < nc; ++j) ci[j] = alpha * ti[j] + beta * ci[j];
        }
      }
    }
  }
}

}  // namespace kiln::kernels::cpu
