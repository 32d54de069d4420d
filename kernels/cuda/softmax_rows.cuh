// The row softmax of attention: probs = softmax(scores * scale + mask) along
// each row of a [rows, cols] matrix of float scores. Private to the attention
// tactic (the general Softmax op has its own kernels).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// One row softmax. `scores` and `probs` are device memory and must not overlap.
struct SoftmaxRowsParams {
  const float* scores = nullptr;    ///< [rows, cols], contiguous
  void* probs = nullptr;            ///< [rows, cols] of probsType, contiguous
  ElemType probsType = ElemType::kF32;  ///< f32, f16 or bf16
  int64_t rows = 0;
  int64_t cols = 0;
  float scale = 1.f;                ///< multiplies every score before the mask is added
  const void* mask = nullptr;       ///< optional additive mask of maskType
  ElemType maskType = ElemType::kF32;  ///< must equal probsType
  Indexer maskIndex;                ///< dims whose product is rows * cols; the mask's strides
};

/// Launches the softmax on `stream`. Returns the launch error, or
/// cudaErrorInvalidValue for an unsupported type or inconsistent parameters.
cudaError_t launchSoftmaxRows(const SoftmaxRowsParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
