// Depthwise 2-D convolution on channels-last tensors (one filter per channel,
// as MobileNet's 3x3 layers), with bias, residual and activation in the same
// pass: y[n,oy,ox,c] = act(sum_k x[n,iy,ix,c] * w[c,ky,kx] + b[c] + z[n,oy,ox,c]).
// The layer is bound by memory. The general kernel computes up to 16 bytes of
// channels of one output pixel a thread; the 3x3 kernel (rowsPerThread > 0)
// computes a column of output rows a thread and reads each input row once.
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
  /// 0: the general kernel. 2, 4 or 8: the 3x3 kernel with that many output
  /// rows a thread, where depthwise3x3Fits() and the tensors are aligned to
  /// four elements (else the general kernel runs).
  int rowsPerThread = 0;
};

/// True when the 3x3 kernel runs `p`: 3x3 window, dilation 1, equal strides
/// of 1 or 2, channels a multiple of four, rowsPerThread 2, 4 or 8.
bool depthwise3x3Fits(const DepthwiseParams& p);

/// Launches the convolution on `stream`. Returns the launch error, or
/// cudaErrorInvalidValue for an unsupported type or inconsistent sizes.
cudaError_t launchDepthwiseNhwc(const DepthwiseParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
