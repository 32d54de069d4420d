// Indexing kernels: Gather, GatherElements, Trilu, CumSum and TopK. Index
// tensors live on the device; an index outside its axis gives 0 (never an
// out-of-bounds read).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// Gather: data as [outer, axisSize, inner], out as [outer, numIndices, inner].
struct GatherParams {
  int64_t outer = 1;
  int64_t axisSize = 1;
  int64_t inner = 1;
  int64_t numIndices = 0;
  int elemBytes = 4;     ///< 1, 2, 4 or 8
  bool indices64 = true; ///< int64 indices, else int32
};

cudaError_t gather(const GatherParams& p, const void* data, const void* indices, void* out, cudaStream_t stream);

/// GatherElements: out (the indices' shape, `rank` dims) takes data at the
/// index's position with the axis coordinate replaced by the index value.
struct GatherElementsParams {
  int rank = 0;
  int axis = 0;
  int64_t dims[kMaxRank] = {};         ///< indices/output dims
  int64_t dataStrides[kMaxRank] = {};  ///< data element strides
  int64_t axisSize = 1;                ///< data size along the axis
  int elemBytes = 4;
  bool indices64 = true;
};

cudaError_t gatherElements(const GatherElementsParams& p, const void* data, const void* indices, void* out,
                           cudaStream_t stream);

/// Trilu over [matrices, rows, cols]: keeps c - r >= k (upper) or c - r <= k, zero elsewhere.
struct TriluParams {
  int64_t matrices = 1;
  int64_t rows = 1;
  int64_t cols = 1;
  int64_t k = 0;
  bool upper = true;
  int elemBytes = 4;
};

cudaError_t trilu(const TriluParams& p, const void* in, void* out, cudaStream_t stream);

/// CumSum along the middle axis of [outer, n, inner]. Floats sum in double,
/// integers in their own type, as the reference does.
struct CumSumParams {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
  bool exclusive = false;
  bool reverse = false;
  ElemType type = ElemType::kF32;  ///< f32, f16, bf16, f64, i32 or i64
};

cudaError_t cumSum(const CumSumParams& p, const void* in, void* out, cudaStream_t stream);

/// TopK along the middle axis of [outer, n, inner]: values [outer, k, inner]
/// and int64 indices, in the reference's order (NaN ranks above every number
/// for largest and below for smallest; ties keep the lower index first).
struct TopKParams {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
  int64_t k = 1;
  bool largest = true;
  ElemType type = ElemType::kF32;  ///< f32, f16, bf16, f64, i32, i64, i8 or u8
};

cudaError_t topK(const TopKParams& p, const void* in, void* values, int64_t* indices, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
