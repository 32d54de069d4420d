// Data movement kernels: every output element is copied from one input
// element (or filled), chosen per output axis. Transpose, Slice, Expand, Tile,
// Pad, Concat, Split, DepthToSpace and SpaceToDepth all reduce to this; the
// kernels move elements by their byte size (1, 2, 4 or 8), so every type works.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// How the input index along one output axis is found from the output index j.
enum class AxisMode : int32_t {
  kLinear = 0,       ///< start + j * step
  kTile = 1,         ///< j % inSize
  kPadConstant = 2,  ///< padded: outside the kept input the fill value
  kPadEdge = 3,      ///< padded: the nearest kept element
  kPadReflect = 4,   ///< padded: mirrored without repeating the edge
  kPadWrap = 5,      ///< padded: wrapped around
};

/// One output axis of a mapped copy.
struct AxisMap {
  int64_t size = 1;       ///< output size along the axis
  int64_t stride = 0;     ///< input element stride of one input index step
  AxisMode mode = AxisMode::kLinear;
  int64_t start = 0;      ///< kLinear: first input index
  int64_t step = 1;       ///< kLinear: input index step (may be negative or 0)
  int64_t inSize = 1;     ///< kTile: input size; pads: input size before cropping
  int64_t padBegin = 0;   ///< pads: begin pad (negative crops)
  int64_t padEnd = 0;     ///< pads: end pad (negative crops)
};

/// A mapped copy: out[k] (at dstOffset + sum of index * dstStrides) =
/// in[srcOffset + sum over axes of inputIndex(axis, j) * stride], or `fill`
/// where a pad axis maps outside the input.
struct MapCopyParams {
  int rank = 0;
  AxisMap axes[kMaxRank];
  int64_t dstStrides[kMaxRank] = {};  ///< output element strides (row-major for a plain output)
  int64_t srcOffset = 0;              ///< elements
  int64_t dstOffset = 0;              ///< elements
  int elemBytes = 4;                  ///< 1, 2, 4 or 8
  uint64_t fill = 0;                  ///< the fill element's bytes (low elemBytes bytes)
};

/// The input index of output index j along a pad axis, or -1 for the fill
/// value. Matches the reference's numpy-like pad: negative pads crop first.
__host__ __device__ inline int64_t padSourceIndex(AxisMode mode, int64_t j, int64_t dim, int64_t b, int64_t e) {
  const int64_t lo = b < 0 ? -b : 0;
  const int64_t n = dim - lo - (e < 0 ? -e : 0);
  const int64_t i = j - (b > 0 ? b : 0);
  if (i >= 0 && i < n) return lo + i;
  if (n <= 0) return -1;
  switch (mode) {
    case AxisMode::kPadEdge: return lo + (i < 0 ? 0 : n - 1);
    case AxisMode::kPadWrap: return lo + ((i % n) + n) % n;
    case AxisMode::kPadReflect: {
      if (n == 1) return lo;
      const int64_t p = 2 * (n - 1);
      const int64_t m = ((i % p) + p) % p;
      return lo + (m < n ? m : p - m);
    }
    default: return -1;
  }
}

/// Launches the mapped copy of `numel` elements (the product of the axis sizes).
cudaError_t mapCopy(const MapCopyParams& p, const void* src, void* dst, cudaStream_t stream);

/// Fills `numel` elements of `elemBytes` bytes with `value`'s low bytes.
cudaError_t fillElements(void* dst, int64_t numel, int elemBytes, uint64_t value, cudaStream_t stream);

/// out[i] = start + i * delta in the element type (f32, f64, i16, i32 or i64;
/// integers in int64 arithmetic, floats in double).
cudaError_t rangeFill(void* dst, int64_t numel, ElemType type, double start, double delta, int64_t startInt,
                      int64_t deltaInt, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
