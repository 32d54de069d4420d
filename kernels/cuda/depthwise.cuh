// Depthwise 2-D convolution on channels-last tensors (one filter per channel,
// as MobileNet's 3x3 layers), with bias, residual and activation in the same
// pass: y[n,oy,ox,c] = act(sum_k x[n,iy,ix,c] * w[c,ky,kx] + b[c] + z[n,oy,ox,c]).
// The layer is bound by memory; each thread computes up to 16 bytes of
// channels of one output pixel with vector loads.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cpu/activation.h"
#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// One depthwise convolution. x is [N, H, W, C], w is [C, KH, KW] (the
/// [M, R, S, C/group] filter of a channels-last layer with group = C = M),
/// bias [C] and residual (y's shape) optional, y is [N, OH, OW, C].
struct DepthwiseParams {
  ElemType type = ElemType::kF32;  ///< f32, f16 or bf16, for every tensor
  const void* x = nullptr;
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;
  void* y = nullptr;
  int n = 0, h = 0, w_ = 0, c = 0;  ///< input dims
  int oh = 0, ow = 0;               ///< output dims
  int kh = 1, kw = 1, strideH = 1, strideW = 1, padH = 0, padW = 0, dilH = 1, dilW = 1;
  cpu::ActivationParams act;
};

/// Launches the convolution on `stream`. Returns the launch error, or
/// cudaErrorInvalidValue for an unsupported type or inconsistent sizes.
cudaError_t launchDepthwiseNhwc(const DepthwiseParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
