// A cache-blocked, register-tiled float GEMM: the fast CPU matrix product
// that the gemm and im2col convolution tactics run on. Single-threaded.
#pragma once

#include <cstdint>

#include "cpu/gemm.h"

namespace kiln::kernels::cpu {

/// Rows and columns of the tile of C that the micro-kernel keeps in registers.
inline constexpr int64_t kGemmMR = 4;
inline constexpr int64_t kGemmNR = 8;
/// Depth of the packed slices of A and B (sized for L1: KC x NR floats of B).
inline constexpr int64_t kGemmKC = 256;
/// Rows of A packed per step (sized for L2: MC x KC floats).
inline constexpr int64_t kGemmMC = 64;
/// Columns of B packed per step.
inline constexpr int64_t kGemmNC = 512;

/// Scratch bytes gemmBlocked allocates for `p`: the packed slices of A and B
/// and the tile of partial sums.
int64_t gemmBlockedScratchBytes(const GemmParams& p);

/// C = alpha * op(A) * op(B) + beta * C over row-major float matrices, with
/// the GemmParams contract of gemmReference (beta == 0 does not read C).
/// Each element's sum of products runs in k order in float and is kept
/// between the K slices, so where the slices split K never changes a result.
void gemmBlocked(const GemmParams& p, const float* a, const float* b, float* c);

}  // namespace kiln::kernels::cpu
