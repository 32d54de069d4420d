// Normalization kernels (f32, f16, bf16; statistics in float): blocks
// normalized by their own mean and variance (layer, instance and group
// normalization) and batch normalization with given statistics.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// x as [blocks, blockSize]; every block is normalized by its own mean and
/// population variance. Element j of block b uses the affine parameters at
/// (b % period) * paramsPerPeriod + scaleIndex.offset(j) (and biasIndex for
/// the bias); the indexers have dims that multiply to blockSize.
struct BlockNormParams {
  int64_t blocks = 1;
  int64_t blockSize = 1;
  int64_t period = 1;
  int64_t paramsPerPeriod = 0;
  Indexer scaleIndex;
  Indexer biasIndex;
  float epsilon = 1e-5f;
  ElemType type = ElemType::kF32;       ///< x, y, scale and bias
  ElemType statsType = ElemType::kF32;  ///< mean and invStdDev outputs (f32, f16 or bf16)
};

/// y = (x - mean) * invStdDev * scale + bias. scale may be null (ones),
/// bias may be null (zeros); mean and invStdDev, when not null, get one value per block.
cudaError_t blockNorm(const BlockNormParams& p, const void* x, const void* scale, const void* bias, void* y,
                      void* mean, void* invStdDev, cudaStream_t stream);

/// x as [batch, channels, inner]: y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c].
struct BatchNormParams {
  int64_t batch = 1;
  int64_t channels = 1;
  int64_t inner = 1;
  float epsilon = 1e-5f;
  ElemType type = ElemType::kF32;       ///< x and y
  ElemType paramType = ElemType::kF32;  ///< scale, bias, mean and var
};

cudaError_t batchNorm(const BatchNormParams& p, const void* x, const void* scale, const void* bias, const void* mean,
                      const void* var, void* y, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
