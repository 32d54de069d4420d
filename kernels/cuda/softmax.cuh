// Softmax, LogSoftmax and Hardmax along the middle axis of [outer, axis, inner]
// (f32, f16, bf16; computed in float).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// Which normalization a softmax row gets.
enum class SoftmaxKind : int32_t {
  kSoftmax = 0,     ///< exp(x - max) / sum
  kLogSoftmax = 1,  ///< x - max - log(sum)
  kHardmax = 2,     ///< 1 at the first maximum, 0 elsewhere
};

struct SoftmaxParams {
  int64_t outer = 1;
  int64_t axis = 1;
  int64_t inner = 1;
  SoftmaxKind kind = SoftmaxKind::kSoftmax;
  ElemType type = ElemType::kF32;
};

cudaError_t softmax(const SoftmaxParams& p, const void* x, void* y, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
