// Max and average pooling of 2-D windows over channels-last tensors
// ([N, H, W, C]), as the channels-last pass makes them: a thread computes 16
// bytes of channels of one output pixel, so every load and store is a wide,
// coalesced access and the layer runs near its memory time.
#pragma once

#include <cuda_runtime.h>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// One pooling layer. Window position along each axis: out * stride + tap -
/// padBegin (no dilation); taps outside the input are skipped, and a window
/// with none gives 0, as the reference.
struct PoolNhwcParams {
  ElemType type = ElemType::kF32;  ///< f32, f16 or bf16, x and y alike
  const void* x = nullptr;
  void* y = nullptr;
  int n = 0, h = 0, w = 0, c = 0;  ///< input dims
  int oh = 0, ow = 0;              ///< output dims
  int kh = 1, kw = 1, strideH = 1, strideW = 1;
  int padH = 0, padW = 0;        ///< begin pads
  int padEndH = 0, padEndW = 0;  ///< end pads (count_include_pad's padded input)
  bool max = true;               ///< else average
  bool countIncludePad = false;  ///< average: divide by the taps inside the padded input, else inside the input
};

/// True when the kernel's 32-bit thread index covers `p`'s output.
bool poolNhwcFits(const PoolNhwcParams& p);

/// Launches the pooling on `stream`; cudaErrorInvalidValue for an
/// unsupported type or sizes. Max propagates NaN.
cudaError_t launchPoolNhwc(const PoolNhwcParams& p, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
