// The epilogue of a convolution or matrix product where the library cannot
// fuse it: y = act(y + addScale * addend + residual), in place.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cpu/activation.h"
#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// One epilogue over a contiguous tensor y of `count` elements. Every
/// pointer is device memory of element type `type`.
struct EpilogueParams {
  ElemType type = ElemType::kF32;  ///< f32, f16 or bf16
  void* y = nullptr;               ///< read and written in place
  int64_t count = 0;               ///< elements of y
  const void* addend = nullptr;    ///< optional; broadcast onto y through addIndex
  Indexer addIndex;                ///< y's dims and the addend's strides (0 where it broadcasts)
  float addScale = 1.f;            ///< Gemm's beta; 1 for a bias
  const void* residual = nullptr;  ///< optional; contiguous, y's shape
  cpu::ActivationParams activation;  ///< applied last
};

/// Launches the epilogue on `stream`. Returns the launch error, or
/// cudaErrorInvalidValue for an unsupported type or inconsistent parameters.
cudaError_t launchEpilogue(const EpilogueParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
