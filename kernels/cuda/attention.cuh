// Fused attention for FP16: Y = softmax(Q K^T * scale + mask) V in one
// kernel, flash-attention style. Each warp owns 16 query rows; a block loads
// tiles of 64 keys and values into shared memory, takes the products on the
// tensor cores (WMMA) and keeps a running maximum and sum per row, so the
// scores never reach global memory.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// Where the matrices of one operand lie: matrix b starts at element
/// (b / heads) * outer + (b % heads) * inner, and its rows are `ld` elements
/// apart. A contiguous [batch][rows][cols] tensor has outer = heads * rows *
/// cols, inner = rows * cols, ld = cols; one stored [B][rows][heads][cols]
/// (a projection's output before its heads are transposed out) has outer =
/// rows * heads * cols, inner = cols, ld = heads * cols.
struct MatrixLayout {
  int64_t outer = 0, inner = 0, ld = 0;
};

/// One attention over `batch` matrices (heads dividing it): Y = softmax(Q
/// K^T * scale + mask) V with Q [lq][d], K [lk][d] (or [d][lk] when
/// kTransposed), V [lk][dv] and Y [lq][dv] per matrix.
struct FusedAttentionParams {
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  void* y = nullptr;
  const void* mask = nullptr;  ///< optional additive mask of the same type
  Indexer maskIndex;           ///< dims whose product is batch * lq * lk; the mask's strides
  int64_t maskStep = 0;        ///< the mask's stride along the keys: maskIndex's last stride (its last
                               ///< dim a multiple of lk), or 0 when it has no dims
  int batch = 0, heads = 1, lq = 0, lk = 0, d = 0, dv = 0;
  MatrixLayout ql, kl, vl, yl;
  bool kTransposed = false;
  float scale = 1.f;
  int warps = 4;  ///< warps per block (1, 2 or 4), 16 query rows each
};

/// The largest head size the kernel takes (d and dv, multiples of 16).
constexpr int kFusedAttentionMaxHead = 128;

/// Empty when the kernel runs these sizes, else the reason it does not.
const char* fusedAttentionRefusal(int d, int dv, int warps);

/// Launches the attention (FP16 tensors) on `stream`. Returns the launch
/// error, or cudaErrorInvalidValue for sizes the kernel does not run.
cudaError_t launchFusedAttention(const FusedAttentionParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
