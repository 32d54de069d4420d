// Max and average pooling over NC<spatial> tensors with 1 to 3 spatial dims,
// one thread per output element, visiting taps in the reference's order.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// The most spatial dims the pooling kernel handles.
constexpr int kMaxPoolDims = 3;

/// Geometry as the reference's PoolParams: window position along dim d =
/// out * stride + tap * dilation - padBegin.
struct PoolParams {
  int64_t planes = 1;  ///< batch * channels
  int rank = 1;        ///< spatial dims
  int64_t inSize[kMaxPoolDims] = {1, 1, 1};
  int64_t outSize[kMaxPoolDims] = {1, 1, 1};
  int64_t kernel[kMaxPoolDims] = {1, 1, 1};
  int64_t stride[kMaxPoolDims] = {1, 1, 1};
  int64_t dilation[kMaxPoolDims] = {1, 1, 1};
  int64_t padBegin[kMaxPoolDims] = {0, 0, 0};
  int64_t padEnd[kMaxPoolDims] = {0, 0, 0};
  bool max = true;                   ///< else average
  bool countIncludePad = false;      ///< average: divide by taps inside the padded input
  bool columnMajorIndices = false;   ///< max indices: spatial part column-major (storage_order 1)
  ElemType type = ElemType::kF32;    ///< f32, f16, bf16; i8 and u8 for max
};

/// y[planes, outSize...] = pool(x[planes, inSize...]); `indices` (max only,
/// may be null) gets the flat input index of the first maximum.
cudaError_t pool(const PoolParams& p, const void* x, void* y, int64_t* indices, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
